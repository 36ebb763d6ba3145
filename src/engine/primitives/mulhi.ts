/**
 * @file lax.mulhi's primitive: the high half of the double-width product of two integers (JAX
 * 0.10.2's mulhi_p; XLA's chlo.mulhi). Written in the kernel IR so every backend runs it: 8- and
 * 16-bit operands multiply exactly in int32 and shift; 32-bit ones split into 16-bit halves whose
 * partial products fit in uint32 (the carry of the cross terms first), and a signed result
 * subtracts y where x < 0 and x where y < 0 (mod 2^32), as JAX's _mulhi_impl does for 64 bits.
 * Rules: transforms/rules/composed.ts.
 */
import { bin, cast, constant, type SExpr, sel } from '../compile/kir.js';
import { bool, type DType, int32, uint32 } from '../core/dtype.js';
import { definePrimitive } from '../core/primitive.js';
import { naryRules } from './common.js';

function mulhi32(x: SExpr, y: SExpr, dt: DType): SExpr {
  const u = (v: number) => constant(v, uint32);
  const b = (op: Parameters<typeof bin>[0], p: SExpr, q: SExpr) => bin(op, p, q, uint32);
  const [xu, yu] = [cast(x, uint32), cast(y, uint32)];
  const [xl, xh] = [b('and', xu, u(0xffff)), b('shr_logical', xu, u(16))];
  const [yl, yh] = [b('and', yu, u(0xffff)), b('shr_logical', yu, u(16))];
  const ll = b('mul', xl, yl);
  const lh = b('mul', xl, yh);
  const hl = b('mul', xh, yl);
  const hh = b('mul', xh, yh);
  const cross = b('add', b('add', b('shr_logical', ll, u(16)), b('and', lh, u(0xffff))), hl);
  let hi = b('add', b('add', hh, b('shr_logical', lh, u(16))), b('shr_logical', cross, u(16)));
  if (dt === int32) {
    const zero = constant(0, int32);
    hi = b('sub', hi, sel(bin('lt', x, zero, bool), yu, u(0)));
    hi = b('sub', hi, sel(bin('lt', y, zero, bool), xu, u(0)));
  }
  return cast(hi, dt);
}

export const mulhi = definePrimitive(
  'mulhi',
  naryRules('mulhi', 'int', ([x, y], _p, out) => {
    const dt = out.dtype;
    if (dt.itemsize === 4) return mulhi32(x, y, dt);
    if (dt.itemsize < 4) {
      const p = bin('mul', cast(x, int32), cast(y, int32), int32);
      return cast(bin('shr_arith', p, constant(8 * dt.itemsize, int32), int32), dt);
    }
    throw new TypeError(`mulhi of ${dt.name} is not implemented in tjax (64-bit integers)`);
  }),
);
