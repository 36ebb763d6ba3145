/**
 * @file jnp.linalg.eig / eigvals, lax.linalg.eig and jnp.roots on the CPU's `eig` kernel
 * (Hessenberg reduction + shifted complex QR): eigenvalues compared with JAX's and NumPy's as
 * sets; eigenvectors checked by A v = w v and LAPACK's normalization (unit norm, largest component
 * real), and against JAX's up to phase; left eigenvectors (u^H A = w u^H); batches, jit and vmap;
 * derivatives of eigenvalues and (with enable_eigvec_derivs) eigenvectors against JAX; JAX's
 * errors; and the device limit (CPU only, as JAX).
 *
 * Expected values: fixtures/complex/eig.json, made by fixtures/make_complex.py with JAX 0.10.2 and
 * numpy.linalg.eigvals / numpy.roots.
 */
import { describe, expect, it } from 'vitest';
import { grad, jit, numpy as jnp, lax, type Value, vmap } from '../../../src/engine/index.js';
import { expectClose, type FixtureArray, fixture, flat, nums } from './helpers.js';

const e = fixture('eig.json');

function input(a: FixtureArray): Value {
  if (a.dtype === 'complex64') {
    const v = flat(a.value);
    const re = jnp.array(v.filter((_, i) => i % 2 === 0)).astype('float32');
    const im = jnp.array(v.filter((_, i) => i % 2 === 1)).astype('float32');
    return lax.complex(re, im).reshape(a.shape);
  }
  return jnp.array(flat(a.value)).astype('float32').reshape(a.shape);
}

type C = [number, number];
function pairs(values: number[]): C[] {
  const out: C[] = [];
  for (let i = 0; i < values.length; i += 2) out.push([values[i], values[i + 1]]);
  return out;
}

/** A fixture's values as complex pairs (NumPy returns real dtypes for real eigenvalues and roots). */
function cflat(a: FixtureArray): number[] {
  const v = flat(a.value);
  return a.dtype.startsWith('complex') ? v : v.flatMap((x) => [x, 0]);
}

/** Multisets equal to tolerance: each expected value matched by a distinct nearest got value. */
function sameSet(got: C[], want: C[], tol: number): void {
  expect(got.length).toBe(want.length);
  const left = [...got];
  for (const w of want) {
    let best = -1;
    let dist = Number.POSITIVE_INFINITY;
    left.forEach((g, i) => {
      const d = Math.hypot(g[0] - w[0], g[1] - w[1]);
      if (d < dist) [best, dist] = [i, d];
    });
    expect(dist).toBeLessThan(tol * (1 + Math.hypot(w[0], w[1])));
    left.splice(best, 1);
  }
}

/** Columns of a row-major n x n complex matrix. */
function column(v: number[], n: number, j: number): C[] {
  return Array.from({ length: n }, (_, i) => [v[2 * (i * n + j)], v[2 * (i * n + j) + 1]] as C);
}

describe('eig against JAX and NumPy', () => {
  e.cases.forEach((c: any, k: number) => {
    it(`case ${k}: ${c.a.dtype}${JSON.stringify(c.a.shape)}`, async () => {
      const a = input(c.a);
      const [w, v] = jnp.linalg.eig(a);
      expect(w.dtype.name).toBe('complex64');
      expect(v.shape).toEqual(c.a.shape);
      const wv = nums(await w.data());
      const vv = nums(await v.data());
      const n = c.a.shape[c.a.shape.length - 1];
      const batch = wv.length / (2 * n);
      const av = nums(await jnp.matmul(a.astype('complex64'), v).data());
      for (let b = 0; b < batch; b++) {
        const got = pairs(wv.slice(2 * b * n, 2 * (b + 1) * n));
        sameSet(got, pairs(flat(c.w_jax.value).slice(2 * b * n, 2 * (b + 1) * n)), 1e-4);
        sameSet(got, pairs(cflat(c.w_numpy).slice(2 * b * n, 2 * (b + 1) * n)), 1e-4);
        const vb = vv.slice(2 * b * n * n, 2 * (b + 1) * n * n);
        const avb = av.slice(2 * b * n * n, 2 * (b + 1) * n * n);
        const jv = flat(c.v_jax.value).slice(2 * b * n * n, 2 * (b + 1) * n * n);
        for (let j = 0; j < n; j++) {
          const col = column(vb, n, j);
          const [lr, li] = got[j];
          // A v_j = w_j v_j
          column(avb, n, j).forEach(([r, i], q) => {
            const [xr, xi] = col[q];
            expect(Math.hypot(r - (lr * xr - li * xi), i - (lr * xi + li * xr))).toBeLessThan(
              1e-4 * (1 + Math.hypot(lr, li)),
            );
          });
          // LAPACK's scaling: unit norm, largest component real and positive.
          const norm = Math.hypot(...col.map(([r, i]) => Math.hypot(r, i)));
          expect(norm).toBeCloseTo(1, 5);
          const big = col.reduce((m, x) => (Math.hypot(...x) > Math.hypot(...m) ? x : m));
          expect(Math.abs(big[1])).toBeLessThan(1e-6);
          expect(big[0]).toBeGreaterThan(0);
          // JAX's eigenvector for the same eigenvalue, equal up to a unit phase (distinct eigenvalues).
          const jw = pairs(flat(c.w_jax.value).slice(2 * b * n, 2 * (b + 1) * n));
          const m = jw.findIndex(([r, i]) => Math.hypot(r - lr, i - li) < 1e-4 * (1 + Math.hypot(lr, li)));
          const jc = column(jv, n, m);
          const dot = jc.reduce(
            ([sr, si], [r, i], q) => [sr + r * col[q][0] + i * col[q][1], si + r * col[q][1] - i * col[q][0]],
            [0, 0],
          );
          expect(Math.hypot(...dot)).toBeCloseTo(1, 4);
        }
      }
    });
  });
  it("eigvals equals eig's eigenvalues; jit and vmap agree with eager", async () => {
    const a = input(e.cases[1].a);
    const w = await jnp.linalg.eigvals(a).data();
    expect(nums(await jnp.linalg.eig(a)[0].data())).toEqual(nums(w));
    expect(nums(await jit((x: Value) => jnp.linalg.eigvals(x))(a).data())).toEqual(nums(w));
    const batched = input(e.cases[7].a);
    const vm = await vmap((x: Value) => jnp.linalg.eigvals(x))(batched).data();
    expect(nums(vm)).toEqual(nums(await jnp.linalg.eigvals(batched).data()));
  });
  it('left eigenvectors satisfy u^H A = w u^H', async () => {
    const a = input(e.cases[0].a);
    const [w, vl, vr] = lax.linalg.eig(a);
    expect(vr.shape).toEqual([3, 3]);
    const uhA = await jnp.matmul(jnp.conj(jnp.transpose(vl)), a.astype('complex64')).data();
    const wuh = await jnp.multiply(w.reshape([3, 1]), jnp.conj(jnp.transpose(vl))).data();
    expect(nums(uhA).every((x, i) => Math.abs(x - Number(wuh[i])) < 1e-4)).toBe(true);
  });
});

describe('eig derivatives (JAX values)', () => {
  const a = input(e.cases[0].a);
  const gr = e.grads;
  const T = { rtol: 1e-4, atol: 1e-4 };
  it('of eigenvalues', async () => {
    await expectClose(
      grad((x: Value) => jnp.sum(jnp.real(jnp.linalg.eigvals(x))))(a),
      gr.grad_sum_real_eigvals,
      T,
    );
    await expectClose(grad((x: Value) => jnp.real(jnp.linalg.eigvals(x).at[0].get()))(a), gr.grad_eigval0, T);
    await expectClose(grad((x: Value) => jnp.sum(jnp.abs(jnp.linalg.eigvals(x))))(a), gr.grad_abs_eigvals, T);
  });
  it("of eigenvectors with enable_eigvec_derivs, and JAX's error without", async () => {
    const f = (x: Value) =>
      jnp.sum(jnp.abs(lax.linalg.eig(x, { computeLeftEigenvectors: false, enableEigvecDerivs: true })[1]));
    await expectClose(grad(f)(a), gr.grad_abs_vr, T);
    expect(() => grad((x: Value) => jnp.sum(jnp.abs(jnp.linalg.eig(x)[1])))(a)).toThrow(
      'Derivatives of non-symmetric eigenvectors are only valid under assumptions on the input that JAX cannot check',
    );
  });
  it("raises JAX's shape and dtype errors", () => {
    expect(() => jnp.linalg.eig(jnp.ones([2, 3]))).toThrow(
      'The input to eig must be a square matrix. Got shape (2, 3).',
    );
    expect(() => lax.linalg.eig(jnp.ones([3]))).toThrow(
      'Input 0 to eig must have rank at least 2, but got shape=(3,)',
    );
    expect(() => lax.linalg.eig(jnp.ones([2, 2], { dtype: 'int32' }))).toThrow(
      'eig does not accept dtype int32. Accepted dtypes are subtypes of floating, complexfloating.',
    );
  });
});

describe('roots (JAX and NumPy values)', () => {
  for (const r of e.roots) {
    it(`roots(${JSON.stringify(r.p)})`, async () => {
      const got = jnp.roots(jnp.array(r.p).astype('float32'));
      expect(got.dtype.name).toBe('complex64');
      expect(got.shape).toEqual(r.roots.shape);
      sameSet(pairs(nums(await got.data())), pairs(flat(r.roots.value)), 1e-4);
      if (r.numpy.shape[0]) sameSet(pairs(nums(await got.data())), pairs(cflat(r.numpy)), 1e-4);
    });
  }
  it('strip_zeros=false works under jit, leading zeros giving NaN roots', async () => {
    const got = jit((p: Value) => jnp.roots(p, { stripZeros: false }))(
      jnp.array([0, 1, 0, 1]).astype('float32'),
    );
    const v = nums(await got.data());
    const want = flat(e.roots_nonstrip.value);
    expect(v.slice(4).every(Number.isNaN)).toBe(true);
    expect(want.slice(4).every(Number.isNaN)).toBe(true);
    sameSet(pairs(v.slice(0, 4)), pairs(want.slice(0, 4)), 1e-5);
    expect(() => jit((p: Value) => jnp.roots(p))(jnp.array([0, 1, 0, 1]).astype('float32'))).toThrow(
      'The error occurred in the jnp.roots() function',
    );
  });
});

describe('poly of a square matrix (JAX values)', () => {
  it('is the characteristic polynomial, complex as JAX returns it', async () => {
    // jnp.poly(a) with JAX 0.10.2: [1, -5, 10.0000019, -14.0000029] (+0j), complex64; np.poly: [1, -5, 10, -14].
    const a = jnp
      .array([
        [1, 2, 0],
        [-2, 1, 1],
        [0, 1, 3],
      ])
      .astype('float32');
    const p = jnp.poly(a);
    expect(p.dtype.name).toBe('complex64');
    const close = (got: number[], want: number[]) => {
      expect(got.length).toBe(want.length);
      for (const [i, w] of want.entries()) expect(got[i]).toBeCloseTo(w, 4);
    };
    close(nums(await p.data()), [1, 0, -5, 0, 10, 0, -14, 0]);
    // A symmetric matrix: jnp.poly([[2, 1], [1, 2]]) = [1, -4, 3].
    close(
      nums(
        await jnp
          .poly(
            jnp.array([
              [2.0, 1.0],
              [1.0, 2.0],
            ]),
          )
          .data(),
      ),
      [1, 0, -4, 0, 3, 0],
    );
  });
});
