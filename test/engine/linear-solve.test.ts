/**
 * @file lax.customLinearSolve and its primitive custom_linear_solve (lax/linear-solve.ts,
 * primitives/linear-solve.ts, transforms/rules/linear-solve.ts): values eagerly and jitted,
 * derivatives (jvp through the consts, transpose through transpose_solve) against the analytic
 * ones and central differences, vmap over b, over the operator's consts and both (the batch
 * rule's fixed point), their compositions, the jaxprs JAX 0.10.2's make_jaxpr printed for the
 * same programs (pasted from `jax.make_jaxpr`), has_aux, symmetric, and JAX's errors. The
 * values JAX computed are quoted where they are compared. jnp.linalg.solve and inv are built on
 * it (test/engine/linalg-decomp.test.ts; their jaxprs in the corpus test).
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../src/engine/core/trace.js';
import { grad, jit, numpy as jnp, jvp, lax, makeJaxpr, vmap } from '../../src/engine/index.js';
import { checkGrads } from '../../src/engine/test-util.js';

const f32 = (xs: number[] | number[][]) => jnp.array(xs, { dtype: 'float32' });
const data = async (x: any) => Array.from(await x.data(), Number);
function near(got: number[], want: number[], digits = 6): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i], digits);
}

const a = f32([2, 4, 5]);
const b = f32([1, 2, 3]);
/** A diagonal operator: matvec a * x, solved by x / a (its own transpose). */
const diagSolve = (a: Value, b: Value) =>
  lax.customLinearSolve(
    (x: Value) => a.mul(x),
    b,
    (_mv: unknown, x: Value) => x.div(a),
    (_vm: unknown, x: Value) => x.div(a),
  ) as Value;

describe('lax.customLinearSolve', () => {
  it('prints as JAX prints it', () => {
    expect(String(makeJaxpr(diagSolve)(a, b))).toBe(`{ lambda ; a:f32[3] b:f32[3]. let
    c:f32[3] = custom_linear_solve[
      const_lengths=_LinearSolveTuple(matvec=1, vecmat=1, solve=1, transpose_solve=1)
      jaxprs=_LinearSolveTuple(matvec={ lambda ; a:f32[3] b:f32[3]. let c:f32[3] = mul a b in (c,) }, vecmat={ lambda ; a:f32[3] b:f32[3]. let c:f32[3] = mul a b in (c,) }, solve={ lambda ; a:f32[3] b:f32[3]. let c:f32[3] = div b a in (c,) }, transpose_solve={ lambda ; a:f32[3] b:f32[3]. let c:f32[3] = div b a in (c,) })
    ] a a a a b
  in (c,) }`);
    // symmetric: vecmat is matvec's jaxpr, so JAX's printer hoists it.
    const sym = (a: Value, b: Value) =>
      lax.customLinearSolve(
        (x: Value) => a.mul(x),
        b,
        (_mv: unknown, x: Value) => x.div(a),
        null,
        true,
      ) as Value;
    expect(
      String(makeJaxpr(sym)(a, b)),
    ).toBe(`let jaxpr = { lambda ; a:f32[3] b:f32[3]. let c:f32[3] = mul a b in (c,) } in
{ lambda ; d:f32[3] e:f32[3]. let
    f:f32[3] = custom_linear_solve[
      const_lengths=_LinearSolveTuple(matvec=1, vecmat=1, solve=1, transpose_solve=1)
      jaxprs=_LinearSolveTuple(matvec={ lambda ; a:f32[3] b:f32[3]. let c:f32[3] = mul a b in (c,) }, vecmat={ lambda ; a:f32[3] b:f32[3]. let c:f32[3] = mul a b in (c,) }, solve={ lambda ; a:f32[3] b:f32[3]. let c:f32[3] = div b a in (c,) }, transpose_solve={ lambda ; a:f32[3] b:f32[3]. let c:f32[3] = div b a in (c,) })
    ] d d d d e
  in (f,) }`);
  });

  it('solves eagerly and jitted (JAX: [0.5 0.5 0.6])', async () => {
    near(await data(diagSolve(a, b)), [0.5, 0.5, 0.6]);
    near(await data(jit(diagSolve)(a, b)), [0.5, 0.5, 0.6]);
  });

  it('differentiates implicitly: grad in the consts and in b (JAX values), jvp, finite differences', async () => {
    const loss = (a: Value, b: Value) => jnp.sum(diagSolve(a, b).mul(diagSolve(a, b)));
    const [ga, gb] = grad(loss, { argnums: [0, 1] })(a, b) as Value[];
    near(await data(ga), [-0.25, -0.125, -0.144]);
    near(await data(gb), [0.5, 0.25, 0.24]);
    const [gaj, gbj] = jit(grad(loss, { argnums: [0, 1] }))(a, b) as Value[];
    near(await data(gaj), [-0.25, -0.125, -0.144]);
    near(await data(gbj), [0.5, 0.25, 0.24]);
    // d(b/a) = db/a - b da/a^2
    const [, t] = jvp(diagSolve, [a, b], [f32([1, 0, 1]), f32([0, 1, 1])]) as Value[];
    near(await data(t), [-1 / 4, 1 / 4, 1 / 5 - 3 / 25]);
    await checkGrads(diagSolve, [a, b], { order: 1, atol: 1e-2, rtol: 1e-2 });
  });

  it('vmaps over b, over the consts and both; composes with jit and grad', async () => {
    const A = jnp.stack([a, a.add(1)]);
    const B = jnp.stack([b, b.mul(2)]);
    const both = [0.5, 0.5, 0.6, 2 / 3, 0.8, 1];
    near(await data(vmap(diagSolve)(A, B)), both);
    near(await data(jit(vmap(diagSolve))(A, B)), both);
    near(await data(vmap(diagSolve, { inAxes: [null, 0] })(a, B)), [0.5, 0.5, 0.6, 1, 1, 1.2]);
    near(await data(vmap(diagSolve, { inAxes: [0, null] })(A, b)), [0.5, 0.5, 0.6, 1 / 3, 0.4, 0.5]);
    const g = vmap(grad((a: Value, b: Value) => jnp.sum(diagSolve(a, b)), { argnums: 1 }));
    near(await data(g(A, B)), [0.5, 0.25, 0.2, 1 / 3, 0.2, 1 / 6]);
    near(await data(jit(g)(A, B)), [0.5, 0.25, 0.2, 1 / 3, 0.2, 1 / 6]);
  });

  it('has_aux returns the solver diagnostics (JAX: ([0.5 0.5 0.6], 6.0))', async () => {
    const [x, aux] = lax.customLinearSolve(
      (x: Value) => a.mul(x),
      b,
      (_mv: unknown, x: Value) => [x.div(a), jnp.sum(x)],
      (_vm: unknown, x: Value) => [x.div(a), jnp.sum(x)],
      false,
      true,
    ) as Value[];
    near(await data(x), [0.5, 0.5, 0.6]);
    near(await data(aux), [6]);
  });

  it("raises JAX's errors", () => {
    const noT = (b: Value) =>
      jnp.sum(
        lax.customLinearSolve(
          (x: Value) => a.mul(x),
          b,
          (_mv: unknown, x: Value) => x.div(a),
        ) as Value,
      );
    expect(() => grad(noT)(b)).toThrow(
      'transpose_solve required for backwards mode automatic differentiation of custom_linear_solve',
    );
    expect(() =>
      lax.customLinearSolve(
        (x: Value) => a.mul(x),
        b,
        (_mv: unknown, x: Value) => jnp.take(x, jnp.arange(2)),
      ),
    ).toThrow('solve() output shapes must match b, got [(2,)] and [(3,)]');
  });
});
