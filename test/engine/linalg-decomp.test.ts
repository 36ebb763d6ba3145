/**
 * @file The decompositions (primitives/linalg.ts, backends/cpu/lib-linalg.ts, lax/linalg.ts,
 * numpy/linalg-decomp.ts, transforms/rules/linalg.ts) and the samplers built on them
 * (random/multivariate.ts): values against JAX 0.10.2 (fixtures/linalg.json, written by
 * fixtures/make_linalg.py), reconstructions and orthogonality, batching, float64, jaxprs, errors,
 * gradients (checkGrads) and vmap.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Array as Arr, Value } from '../../src/engine/index.js';
import {
  config,
  grad,
  jit,
  numpy as jnp,
  lax,
  makeJaxpr,
  random,
  vmap,
  withConfig,
} from '../../src/engine/index.js';
import { checkGrads } from '../../src/engine/test-util.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fx = JSON.parse(readFileSync(join(root, 'fixtures', 'linalg.json'), 'utf8')) as any;

type Nested = number | Nested[];
const flat = (x: Nested): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);
const data = (v: Value) => Array.from((v as Arr).dataSync() as ArrayLike<number>);

function close(actual: Value | number[], expected: Nested, tol: number): void {
  const a = Array.isArray(actual) ? actual : data(actual);
  const e = flat(expected);
  expect(a.length).toBe(e.length);
  a.forEach((x, i) => {
    if (Math.abs(x - e[i]) > tol * (1 + Math.abs(e[i]))) {
      throw new Error(`index ${i}: got ${x}, expected ${e[i]} (tol ${tol})`);
    }
  });
}

const f32 = (x: Nested) => jnp.array(x, { dtype: 'float32' });
const mm = (a: Value, b: Value) => jnp.matmul(a, b);
const eyeOf = (n: number, dt: 'float32' | 'float64' = 'float32') => jnp.eye(n, null, 0, { dtype: dt });

describe('decompositions (float32)', () => {
  const d = fx.f32;
  const A = f32(d.A);
  const B = f32(d.B);
  const G = f32(d.G);
  const W = f32(d.W);

  it('cholesky matches JAX and reconstructs, eagerly, jitted and batched', () => {
    const l = jnp.linalg.cholesky(A);
    expect(l.dtype.name).toBe('float32');
    close(l, d.chol_A, 1e-5);
    close(mm(l, jnp.matrix_transpose(l)), d.A, 1e-5);
    close(jit(jnp.linalg.cholesky)(A), d.chol_A, 1e-5);
    close(jnp.linalg.cholesky(B), d.chol_B, 1e-5);
    close(jnp.linalg.cholesky(A, { upper: true }), data(jnp.matrix_transpose(l)), 1e-6);
  });

  it('cholesky of a non-positive-definite matrix is NaN', () => {
    const l = data(
      jnp.linalg.cholesky(
        f32([
          [1, 2],
          [2, 1],
        ]),
      ),
    );
    expect(l[1]).toBe(0);
    expect([l[0], l[2], l[3]].every(Number.isNaN)).toBe(true);
  });

  it('eigh: ascending eigenvalues as JAX, orthonormal vectors, reconstruction', () => {
    const [w, v] = jnp.linalg.eigh(A);
    close(w, d.eigvals_A, 1e-5);
    close(mm(jnp.matrix_transpose(v), v), data(eyeOf(4)), 1e-5);
    close(mm(mm(v, jnp.multiply(eyeOf(4), w)), jnp.matrix_transpose(v)), d.A, 1e-5);
    const [wb] = jit((x: Value) => jnp.linalg.eigh(x))(B);
    close(wb, d.eigvals_B, 1e-5);
  });

  it('svd: singular values as JAX, U S V^T reconstructs, full and reduced shapes', () => {
    for (const [X, sv, m, n] of [
      [G, d.svals_G, 5, 3],
      [W, d.svals_W, 3, 5],
    ] as const) {
      const [u, s, vt] = jnp.linalg.svd(X, { fullMatrices: false });
      close(s, sv, 1e-5);
      const k = Math.min(m, n);
      expect(u.shape).toEqual([m, k]);
      expect(vt.shape).toEqual([k, n]);
      close(mm(jnp.multiply(u, s), vt), data(X), 1e-5);
      const [uf, , vtf] = jnp.linalg.svd(X);
      expect(uf.shape).toEqual([m, m]);
      expect(vtf.shape).toEqual([n, n]);
      close(mm(jnp.matrix_transpose(uf), uf), data(eyeOf(m)), 1e-5);
      close(mm(vtf, jnp.matrix_transpose(vtf)), data(eyeOf(n)), 1e-5);
      close(jnp.linalg.svd(X, { computeUv: false }), sv, 1e-5);
    }
  });

  it('qr matches JAX (LAPACK signs) in reduced and complete modes, tall and wide', () => {
    const [q, r] = jnp.linalg.qr(G);
    close(q, d.qr_G[0], 1e-5);
    close(r, d.qr_G[1], 1e-5);
    const [qc, rc] = jnp.linalg.qr(G, 'complete');
    expect(qc.shape).toEqual([5, 5]);
    close(qc, d.qr_G_complete[0], 1e-5);
    close(rc, d.qr_G_complete[1], 1e-5);
    const [qw, rw] = jit((x: Value) => jnp.linalg.qr(x))(W);
    close(qw, d.qr_W[0], 1e-5);
    close(rw, d.qr_W[1], 1e-5);
    close(jnp.linalg.qr(G, 'r'), d.qr_G[1], 1e-5);
  });

  it('slogdet, det, inv, solve', () => {
    const [sign, logdet] = jnp.linalg.slogdet(A);
    close([...data(sign), ...data(logdet)], d.slogdet_A, 1e-5);
    close(jnp.linalg.det(B), d.det_B, 1e-5);
    close(jnp.linalg.inv(A), d.inv_A, 1e-5);
    close(jnp.linalg.solve(A, jnp.arange(4, null, null, { dtype: 'float32' })), d.solve_A, 1e-5);
    close(jit(jnp.linalg.inv)(A), d.inv_A, 1e-5);
    const [s0, l0] = jnp.linalg.slogdet(
      f32([
        [1, 2],
        [2, 4],
      ]),
    );
    expect(data(s0)).toEqual([0]);
    expect(data(l0)).toEqual([Number.NEGATIVE_INFINITY]);
    expect(
      data(
        jnp.linalg.det(
          f32([
            [0, 1],
            [1, 0],
          ]),
        ),
      ),
    ).toEqual([-1]);
  });
});

describe('decompositions (float64, x64)', () => {
  it('agree with JAX to float64 precision', () => {
    withConfig({ enableX64: true }, () => {
      const d = fx.f64;
      const A = jnp.array(d.A, { dtype: 'float64' });
      const G = jnp.array(d.G, { dtype: 'float64' });
      const l = jnp.linalg.cholesky(A);
      expect(l.dtype.name).toBe('float64');
      close(l, d.chol_A, 1e-12);
      close(jnp.linalg.eigh(A)[0], d.eigvals_A, 1e-12);
      close(jnp.linalg.svd(G, { computeUv: false }), d.svals_G, 1e-12);
      const [q, r] = jnp.linalg.qr(G);
      close(q, d.qr_G[0], 1e-12);
      close(r, d.qr_G[1], 1e-12);
      close(jnp.linalg.slogdet(A)[1], [d.slogdet_A[1]], 1e-12);
      close(jnp.linalg.inv(A), d.inv_A, 1e-12);
      close(jnp.linalg.det(jnp.array(d.B, { dtype: 'float64' })), d.det_B, 1e-12);
    });
  });
});

describe('primitives and jaxprs', () => {
  const A = f32(fx.f32.A);
  it('print with JAX names and params', () => {
    // The lax.linalg functions bind the primitives; jnp.linalg's are jitted wrappers around them
    // (jit[name=cholesky ...], as in JAX).
    const chol = String(makeJaxpr((x: Value) => lax.linalg.cholesky(x))(A));
    expect(chol).toContain('e:f32[4,4] = cholesky d');
    expect(chol).toContain('select_n');
    expect(String(makeJaxpr(jnp.linalg.cholesky)(A))).toContain('name=cholesky');
    const eig = String(makeJaxpr((x: Value) => lax.linalg.eigh(x))(A));
    expect(eig).toContain(
      'eigh[\n      algorithm=None\n      lower=True\n      sort_eigenvalues=True\n      subset_by_index=None\n    ]',
    );
    const svd = String(makeJaxpr((x: Value) => lax.linalg.svd(x, { computeUv: false }))(A));
    expect(svd).toContain('compute_uv=False');
    const qr = String(makeJaxpr((x: Value) => lax.linalg.qr(x, { fullMatrices: false }))(A));
    expect(qr).toContain(
      'qr[\n      full_matrices=False\n      pivoting=False\n      use_magma=None\n    ] a',
    );
    const ts = String(
      makeJaxpr((a: Value) => lax.linalg.triangularSolve(a, a, { leftSide: true, lower: true }))(A),
    );
    expect(ts).toContain(
      'triangular_solve[\n      conjugate_a=False\n      left_side=True\n      lower=True',
    );
  });

  it('raise JAX errors', () => {
    expect(() => lax.linalg.cholesky(f32([[1, 2, 3]]), { symmetrizeInput: false })).toThrow(
      'The input to cholesky must be a square matrix. Got shape (1, 3).',
    );
    expect(() => lax.linalg.cholesky(f32([1, 2]), { symmetrizeInput: false })).toThrow(
      'Input 0 to cholesky must have rank at least 2, but got shape=(2,)',
    );
    expect(() => lax.linalg.cholesky(jnp.array([[1]], { dtype: 'int32' }))).toThrow(
      'cholesky does not accept dtype int32 at position 0.',
    );
    expect(() => lax.linalg.eigh(jnp.ones([2, 3]), { symmetrizeInput: false })).toThrow(
      'Argument to symmetric eigendecomposition must have shape [..., n, n], got shape (2, 3)',
    );
    expect(() => lax.linalg.triangularSolve(jnp.ones([3, 3]), jnp.ones([2, 2]), { leftSide: true })).toThrow(
      'Incompatible shapes for arguments to triangular_solve: (3, 3) and (2, 2).',
    );
  });

  it('are one library kernel each under jit', () => {
    const c = jit((x: Value) => jnp.linalg.qr(x))
      .lower(A)
      .compile();
    expect(c.kernelCount).toBe(1);
  });
});

describe('batching and vmap', () => {
  it('batched inputs decompose matrix by matrix', () => {
    const B = f32(fx.f32.B);
    const [w] = jnp.linalg.eigh(B);
    expect(w.shape).toEqual([2, 3]);
    const b0 = jnp.linalg.eigh(f32(fx.f32.B[0]))[0];
    close(data(w).slice(0, 3), data(b0) as Nested, 1e-6);
  });

  it('vmap over cholesky, qr, svd and solve matches the batched call', () => {
    const B = f32(fx.f32.B);
    close(vmap(jnp.linalg.cholesky)(B), fx.f32.chol_B, 1e-5);
    const [q] = vmap((x: Value) => jnp.linalg.qr(x))(B);
    close(q, data(jnp.linalg.qr(B)[0]) as Nested, 1e-6);
    close(
      vmap((x: Value) => jnp.linalg.svd(x, { computeUv: false }))(B),
      data(jnp.linalg.svd(B, { computeUv: false })) as Nested,
      1e-6,
    );
    const rhs = f32([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const xs = vmap((a: Value, b: Value) => jnp.linalg.solve(a, b))(B, rhs);
    close(
      jnp.einsum('bij,bj->bi', B, xs),
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      1e-4,
    );
    // One operand batched, the other not (triangular_solve's batch rule broadcasts it).
    const L0 = jnp.linalg.cholesky(f32(fx.f32.B[0]));
    const ys = vmap((b: Value) => lax.linalg.triangularSolve(L0, b, { leftSide: true, lower: true }), {
      inAxes: 1,
    })(jnp.ones([3, 2, 2]));
    expect(ys.shape).toEqual([2, 3, 2]);
  });
});

describe('gradients', () => {
  const A = f32(fx.f32.A);
  const sym = (x: Value) => jnp.divide(jnp.add(x, jnp.matrix_transpose(x)), 2);

  it('slogdet: grad log|det A| = A^{-T} (JAX)', async () => {
    close(grad((a: Value) => jnp.linalg.slogdet(a)[1])(A), fx.f32.grad_logdet_A, 1e-4);
    await checkGrads((a: Value) => jnp.linalg.slogdet(a)[1], [A], { order: 1, atol: 1e-2, rtol: 1e-2 });
  });

  it('cholesky', async () => {
    await checkGrads((a: Value) => jnp.linalg.cholesky(sym(a)), [A], { order: 1, atol: 2e-2, rtol: 2e-2 });
  });

  it('eigh with well-separated eigenvalues', async () => {
    const D = f32([
      [1, 0.1, 0.2],
      [0.1, 3, 0.3],
      [0.2, 0.3, 6],
    ]);
    await checkGrads((a: Value) => jnp.linalg.eigh(a)[0], [D], { order: 1 });
    // Eigenvectors up to sign: differentiate a sign-invariant function of them.
    await checkGrads((a: Value) => jnp.square(jnp.linalg.eigh(a)[1]), [D], {
      order: 1,
      atol: 3e-2,
      rtol: 3e-2,
    });
  });

  it('qr (tall and square) and svd', async () => {
    const G = f32(fx.f32.G);
    await checkGrads((x: Value) => jnp.linalg.qr(x), [G], { order: 1, atol: 3e-2, rtol: 3e-2 });
    await checkGrads((x: Value) => jnp.linalg.svd(x, { computeUv: false }), [G], {
      order: 1,
      atol: 3e-2,
      rtol: 3e-2,
    });
  });

  it('inv and solve', async () => {
    await checkGrads((a: Value) => jnp.linalg.inv(a), [A], { order: 1, atol: 3e-2, rtol: 3e-2 });
    await checkGrads((a: Value, b: Value) => jnp.linalg.solve(a, b), [A, f32([1, 2, 3, 4])], {
      order: 1,
      atol: 3e-2,
      rtol: 3e-2,
    });
  });

  it('float64 second order for cholesky and eigh', async () => {
    const prev = config.enableX64;
    config.enableX64 = true;
    try {
      const A64 = jnp.array(fx.f64.A, { dtype: 'float64' });
      const opts = { order: 2, atol: 1e-5, rtol: 1e-5, eps: 1e-6 };
      await checkGrads((a: Value) => jnp.linalg.cholesky(sym(a)), [A64], opts);
      await checkGrads((a: Value) => jnp.linalg.eigh(a)[0], [A64], opts);
    } finally {
      config.enableX64 = prev;
    }
  });
});

describe('random.multivariateNormal / random.orthogonal', () => {
  const key = random.key(42);
  const mean = f32(fx.mvn.mean);
  const cov = f32(fx.mvn.cov);

  it("method='cholesky' reproduces JAX's draws", () => {
    const x = random.multivariateNormal(key, mean, cov, [4]);
    expect(x.shape).toEqual([4, 3]);
    expect(x.dtype.name).toBe('float32');
    close(x, fx.mvn.cholesky, 1e-5);
  });

  it("'eigh' and 'svd' have the right mean and covariance", () => {
    for (const method of ['eigh', 'svd', 'cholesky'] as const) {
      const x = random.multivariateNormal(key, mean, cov, [20000], null, method);
      const m = jnp.mean(x, { axis: 0 });
      close(m, fx.mvn.mean, 0.06);
      const c = jnp.divide(mm(jnp.matrix_transpose(jnp.subtract(x, m)), jnp.subtract(x, m)), 20000);
      close(c, fx.mvn.cov, 0.1);
    }
  });

  it('errors as JAX', () => {
    expect(() => random.multivariateNormal(key, mean, cov, null, null, 'lu' as 'svd')).toThrow(
      "method must be one of {'svd', 'eigh', 'cholesky'}",
    );
    expect(() => random.multivariateNormal(key, mean, jnp.ones([2, 2]))).toThrow(
      'multivariate_normal requires cov.shape == (..., n, n) for n=3, but got cov.shape == (2, 2).',
    );
  });

  it("orthogonal reproduces JAX's draws and is orthogonal", () => {
    const q = random.orthogonal(key, 3);
    close(q, fx.orthogonal.n3, 1e-5);
    const qb = random.orthogonal(key, 4, [2]);
    expect(qb.shape).toEqual([2, 4, 4]);
    close(qb, fx.orthogonal.n4_batch2, 1e-5);
    close(mm(jnp.matrix_transpose(qb), qb), [...data(eyeOf(4)), ...data(eyeOf(4))], 1e-5);
    const semi = random.orthogonal(key, 2, [], null, 5);
    expect(semi.shape).toEqual([2, 5]);
    close(mm(semi, jnp.matrix_transpose(semi)), data(eyeOf(2)), 1e-5);
  });
});
