/**
 * @file jnp.cross, matvec and vecmat, as JAX 0.10.2 writes them (jax/_src/numpy/lax_numpy.py,
 * tensor_contractions.py): the cross product of 2- or 3-vectors along chosen axes (2-vectors
 * count as having a zero third component; two 2-vectors give the scalar z component), and the
 * batched matrix-vector products as matmul vectorized over the gufunc signatures
 * "(n,m),(m)->(n)" and "(n),(n,m)->(m)".
 */
import type { Value } from '../core/trace.js';
import { dotGeneral } from '../lax/dot.js';
import { namedJit } from '../transforms/jit.js';
import { array, zerosLike } from './creation.js';
import { ValueError } from './errors.js';
import { getitem } from './indexing.js';
import { moveaxis } from './shapes.js';
import * as uf from './ufuncs.js';
import { asValue, promoteArgs } from './util.js';
import { vectorize } from './vectorize.js';

export interface CrossOptions {
  axisa?: number;
  axisb?: number;
  axisc?: number;
  axis?: number | null;
}

const at = (x: Value, i: number) => getitem(x, ['...', i]);

const crossJit = namedJit(
  'cross',
  function cross(
    a0: Value,
    b0: Value,
    axisa0: number,
    axisb0: number,
    axisc0: number,
    axis: number | null,
  ): Value {
    const [axisa, axisb, axisc] = axis === null ? [axisa0, axisb0, axisc0] : [axis, axis, axis];
    const a = moveaxis(a0, axisa, -1);
    const b = moveaxis(b0, axisb, -1);
    const na = a.shape[a.ndim - 1];
    const nb = b.shape[b.ndim - 1];
    if (![2, 3].includes(na) || ![2, 3].includes(nb)) {
      throw new ValueError('Dimension must be either 2 or 3 for cross product');
    }
    if (na === 2 && nb === 2)
      return uf.subtract(uf.multiply(at(a, 0), at(b, 1)), uf.multiply(at(a, 1), at(b, 0)));
    const [a0_, a1] = [at(a, 0), at(a, 1)];
    const a2 = na === 3 ? at(a, 2) : zerosLike(a0_);
    const [b0_, b1] = [at(b, 0), at(b, 1)];
    const b2 = nb === 3 ? at(b, 2) : zerosLike(b0_);
    const c = array([
      uf.subtract(uf.multiply(a1, b2), uf.multiply(a2, b1)),
      uf.subtract(uf.multiply(a2, b0_), uf.multiply(a0_, b2)),
      uf.subtract(uf.multiply(a0_, b1), uf.multiply(a1, b0_)),
    ]);
    return moveaxis(c, 0, axisc);
  },
  { staticArgnums: [2, 3, 4, 5] },
);

/** jnp.cross(a, b, {axisa, axisb, axisc, axis}): the cross product of 2- or 3-vectors. */
export function cross(a: unknown, b: unknown, opts: CrossOptions = {}): Value {
  return crossJit(
    asValue(a),
    asValue(b),
    opts.axisa ?? -1,
    opts.axisb ?? -1,
    opts.axisc ?? -1,
    opts.axis ?? null,
  );
}

/** matmul's core for a matrix and a vector (either order): one dot_general. */
function contract(lhsAxis: number) {
  return (a: Value, b: Value): Value => {
    const [x, y] = promoteArgs(a, b);
    return dotGeneral(x, y, [
      [[lhsAxis], [0]],
      [[], []],
    ]);
  };
}

const matvecJit = namedJit('matvec', function matvec(x1: Value, x2: Value): Value {
  return vectorize(contract(1), { signature: '(n,m),(m)->(n)' })(x1, x2);
});

/** jnp.matvec(x1, x2): matrix times vector, batched over leading dimensions. */
export function matvec(x1: unknown, x2: unknown): Value {
  return matvecJit(asValue(x1), asValue(x2));
}

const vecmatJit = namedJit('vecmat', function vecmat(x1: Value, x2: Value): Value {
  return vectorize(contract(0), { signature: '(n),(n,m)->(m)' })(x1, x2);
});

/** jnp.vecmat(x1, x2): vector times matrix, batched over leading dimensions. */
export function vecmat(x1: unknown, x2: unknown): Value {
  return vecmatJit(asValue(x1), asValue(x2));
}
