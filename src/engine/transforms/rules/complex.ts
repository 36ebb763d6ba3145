/**
 * @file jvp, transpose and batch rules of the complex primitives (primitives/complex.ts), as
 * jax/_src/lax/lax.py defines them. All four are linear over the reals. Their transposes follow
 * JAX's convention for complex cotangents (no conjugation in mul's transpose, so grad of a real
 * function of z is the conjugate of df/dz-bar times 2): real's transpose is complex(t, 0), imag's
 * complex(0, -t), complex's (real(t), imag(-t)), conj's conj(t) (real(t) for a real operand).
 */
import { bind1, type Value } from '../../core/trace.js';
import * as C from '../../lax/complex.js';
import * as L from '../../lax/elementwise.js';
import * as P from '../../primitives/complex.js';
import { instantiate, unbroadcast } from '../jvp.js';
import { type TransposeRule, UndefPrimal } from '../transpose.js';
import { broadcastBatcher, deflinear, setBatch } from './common.js';

function zeroOf(t: Value): Value {
  return L.convertElementType(0, t.dtype, false);
}

for (const p of [P.real, P.imag, P.complex, P.conj]) {
  deflinear(p);
  setBatch(p, broadcastBatcher(p));
}

P.real.rules.transpose = (([ct]) => {
  const t = instantiate(ct);
  return [bind1(P.complex, [t, zeroOf(t)])];
}) satisfies TransposeRule;

P.imag.rules.transpose = (([ct]) => {
  const t = instantiate(ct);
  return [bind1(P.complex, [zeroOf(t), L.neg(t)])];
}) satisfies TransposeRule;

P.complex.rules.transpose = (([ct], [x, y]) => {
  const t = instantiate(ct);
  return [
    x instanceof UndefPrimal ? unbroadcast(x.aval, C.real(t)) : null,
    y instanceof UndefPrimal ? unbroadcast(y.aval, C.imag(L.neg(t))) : null,
  ];
}) satisfies TransposeRule;

P.conj.rules.transpose = (([ct], _args, params) => {
  const t = instantiate(ct);
  return [P.conjInputDType(params).isComplex ? C.conj(t) : C.real(t)];
}) satisfies TransposeRule;
