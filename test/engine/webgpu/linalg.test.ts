/**
 * @file The decompositions on the WebGPU backend (backends/webgpu/lib-linalg.ts) against the CPU
 * backend (backends/cpu/lib-linalg.ts): cholesky, eigh, svd, qr, lu and triangular_solve on random
 * well-conditioned, batched float32 matrices, tall and wide, eagerly and jitted; reconstructions
 * and orthogonality computed on the GPU; edge cases (not positive definite, NaN input, rank
 * deficiency); and jnp.linalg.slogdet/solve/inv/det end to end on webgpu.
 *
 * Without an adapter the file skips with the reason; under CI (which installs Mesa's EGL) it fails.
 */

import { describe, expect, it } from 'vitest';
import { devicePut, jit, numpy as jnp, lax, random } from '../../../src/engine/index.js';
import { deviceAvailable } from '../../device-available.js';

const available = await deviceAvailable('webgpu', 'webgpu linalg');

const d = describe.skipIf(!available);

type F = (...xs: any[]) => any;

async function read(x: any): Promise<{ data: number[]; dtype: string; shape: number[] }> {
  return { data: Array.from(await x.data(), Number), dtype: x.dtype.name, shape: x.shape };
}

/** `f` on both devices (inputs committed there): same dtypes and shapes, values to tolerance. */
async function same(f: F, xs: any[], tol = 2e-5): Promise<any[]> {
  const onCpu = [f(...xs.map((x) => devicePut(x, 'cpu')))].flat();
  const onGpu = [f(...xs.map((x) => devicePut(x, 'webgpu')))].flat();
  expect(onGpu.length).toBe(onCpu.length);
  for (let i = 0; i < onCpu.length; i++) {
    expect(String(onGpu[i].device)).toBe('webgpu:0');
    const c = await read(onCpu[i]);
    const g = await read(onGpu[i]);
    expect(g.dtype).toBe(c.dtype);
    expect(g.shape).toEqual(c.shape);
    const bad = c.data.findIndex((v, j) => {
      const w = g.data[j];
      if (Number.isNaN(v) || Number.isNaN(w)) return !(Number.isNaN(v) && Number.isNaN(w));
      return Math.abs(v - w) > tol * (1 + Math.abs(v));
    });
    if (bad >= 0) expect([i, bad, g.data[bad]]).toEqual([i, bad, c.data[bad]]);
  }
  return onGpu;
}

async function near(x: any, y: any, tol = 1e-4): Promise<void> {
  const a = await read(x);
  const b = await read(y);
  expect(a.shape).toEqual(b.shape);
  a.data.forEach((v, j) => {
    if (Math.abs(v - b.data[j]) > tol * (1 + Math.abs(b.data[j]))) expect([j, v]).toEqual([j, b.data[j]]);
  });
}

const mT = (x: any) => jnp.matrix_transpose(x);
const mm = (a: any, b: any) => jnp.matmul(a, b);
const gpu = (x: any) => devicePut(x, 'webgpu');
const eye = (n: number) => jnp.eye(n, null, 0, { dtype: 'float32' });

// Random (batched) matrices: G general, P symmetric positive definite (well conditioned).
const G = random.normal(random.PRNGKey(0), [2, 3, 4, 5]);
const P = mm(G, mT(G)).add(eye(4));
const Sq = random.normal(random.PRNGKey(2), [3, 4, 4]).add(eye(4).mul(4));
const B = random.normal(random.PRNGKey(1), [2, 3, 4, 6]);

d('webgpu: decompositions against the cpu', () => {
  it('cholesky', async () => {
    await same((x) => lax.linalg.cholesky(x), [P]);
    await same(
      jit((x: any) => jnp.linalg.cholesky(x)),
      [P],
    );
    const l = jnp.linalg.cholesky(gpu(P));
    await near(mm(l, mT(l)), P);
  });

  it('cholesky of a matrix that is not positive definite is NaN', async () => {
    const [l] = await same(
      (x) => lax.linalg.cholesky(x),
      [
        jnp.array(
          [
            [1, 2],
            [2, 1],
          ],
          { dtype: 'float32' },
        ),
      ],
    );
    // The kernel fills NaN; lax.linalg.cholesky's tril then zeroes the upper triangle.
    const v = (await read(l)).data;
    expect([0, 2, 3].every((i) => Number.isNaN(v[i]))).toBe(true);
  });

  it('eigh (both triangles), eigenvalues ascending, V diag(w) V^T = A', async () => {
    await same((x) => lax.linalg.eigh(x), [P]);
    await same((x) => lax.linalg.eigh(x, { lower: false, symmetrizeInput: false }), [P]);
    await same(
      jit((x: any) => jnp.linalg.eigh(x)),
      [P],
    );
    const [w, v] = jnp.linalg.eigh(gpu(P));
    await near(mm(v.mul(jnp.expand_dims(w, -2)), mT(v)), P);
    await near(mm(mT(v), v), jnp.broadcast_to(eye(4), [2, 3, 4, 4]));
    const ws = (await read(w)).data;
    for (let i = 0; i < ws.length; i += 4)
      expect(ws.slice(i, i + 4)).toEqual([...ws.slice(i, i + 4)].sort((a, b) => a - b));
  });

  it('eigh of NaN input is NaN', async () => {
    await same(
      (x) => lax.linalg.eigh(x),
      [
        jnp.array(
          [
            [1, Number.NaN],
            [Number.NaN, 1],
          ],
          { dtype: 'float32' },
        ),
      ],
    );
  });

  for (const [name, X] of [
    ['tall', mT(G)],
    ['wide', G],
  ] as const) {
    it(`svd ${name}: full, reduced and values only; U S V^T = A`, async () => {
      await same((x) => lax.linalg.svd(x), [X]);
      await same((x) => lax.linalg.svd(x, { fullMatrices: false }), [X]);
      await same((x) => lax.linalg.svd(x, { computeUv: false }), [X]);
      await same(
        jit((x: any) => jnp.linalg.svd(x)),
        [X],
      );
      const [u, s, vt] = jnp.linalg.svd(gpu(X), { fullMatrices: false });
      await near(mm(u.mul(jnp.expand_dims(s, -2)), vt), X);
      const [uf, , vtf] = jnp.linalg.svd(gpu(X));
      await near(mm(mT(uf), uf), jnp.broadcast_to(eye(uf.shape[3]), uf.shape));
      await near(mm(vtf, mT(vtf)), jnp.broadcast_to(eye(vtf.shape[3]), vtf.shape));
    });

    it(`qr ${name}: complete and reduced; Q R = A`, async () => {
      await same((x) => lax.linalg.qr(x), [X]);
      await same((x) => lax.linalg.qr(x, { fullMatrices: false }), [X]);
      await same(
        jit((x: any) => jnp.linalg.qr(x)),
        [X],
      );
      const [q, r] = jnp.linalg.qr(gpu(X));
      await near(mm(q, r), X);
    });

    it(`lu ${name}: int32 pivots and permutation; P A = L U`, async () => {
      const [lu, piv, perm] = await same((x) => lax.linalg.lu(x), [X]);
      expect(piv.dtype.name).toBe('int32');
      expect(perm.dtype.name).toBe('int32');
      await same(
        jit((x: any) => lax.linalg.lu(x)),
        [X],
      );
      const [m, n] = X.shape.slice(-2);
      const k = Math.min(m, n);
      // L: unit lower trapezoid (m x k), U: upper trapezoid (k x n).
      const Lk = jnp.tril(lu, -1).add(jnp.eye(m, n, 0, { dtype: 'float32' }));
      const U = jnp.triu(lu);
      const prod = mm(jnp.take(Lk, jnp.arange(k), { axis: -1 }), jnp.take(U, jnp.arange(k), { axis: -2 }));
      const pa = jnp.take_along_axis(gpu(X), jnp.expand_dims(perm, -1), -2);
      await near(prod, pa);
    });
  }

  it('qr of a column whose leading entry squared overflows float32 (the reflector norm is a hypot)', async () => {
    const big = jnp.array(
      [
        [3e20, 1, 2],
        [4, 5, 6],
        [-1, 7, 8],
      ],
      { dtype: 'float32' },
    );
    const [q, r] = await same((x) => lax.linalg.qr(x), [big]);
    expect((await read(r)).data[0]).toBeCloseTo(-3e20, -14);
    await near(mm(mT(q), q), eye(3));
  });

  it('svd of a rank-deficient matrix completes U orthonormally', async () => {
    const r1 = jnp.array(
      [
        [1, 2, 3],
        [2, 4, 6],
        [3, 6, 9],
        [1, 1, 1],
      ],
      { dtype: 'float32' },
    );
    const [u, s] = jnp.linalg.svd(gpu(r1));
    await near(mm(mT(u), u), eye(4));
    await same((x) => lax.linalg.svd(x, { computeUv: false }), [r1]);
    expect((await read(s)).data[2]).toBeLessThan(1e-4);
  });

  for (const leftSide of [true, false]) {
    for (const lower of [true, false]) {
      for (const transposeA of [true, false]) {
        for (const unitDiagonal of [true, false]) {
          it(`triangular_solve left=${leftSide} lower=${lower} trans=${transposeA} unit=${unitDiagonal}`, async () => {
            const rhs = leftSide ? B : mT(B);
            const f = (a: any, b: any) =>
              lax.linalg.triangularSolve(a, b, { leftSide, lower, transposeA, unitDiagonal });
            const [x] = await same(f, [P, rhs], 1e-4);
            // op(A) X = B (or X op(A) = B) with A's other triangle ignored.
            let t = lower ? jnp.tril(gpu(P), unitDiagonal ? -1 : 0) : jnp.triu(gpu(P), unitDiagonal ? 1 : 0);
            if (unitDiagonal) t = t.add(eye(4));
            const op = transposeA ? mT(t) : t;
            await near(leftSide ? mm(op, x) : mm(x, op), rhs, 1e-3);
          });
        }
      }
    }
  }
});

d('webgpu: jnp.linalg end to end', () => {
  it('slogdet, det, solve and inv match the cpu, eagerly and jitted', async () => {
    await same((x) => jnp.linalg.slogdet(x), [Sq], 1e-4);
    await same(
      jit((x: any) => jnp.linalg.slogdet(x)),
      [Sq],
      1e-4,
    );
    await same((x) => jnp.linalg.det(x), [Sq], 1e-4);
    await same((a, b) => jnp.linalg.solve(a, b), [Sq, random.normal(random.PRNGKey(3), [3, 4, 2])], 1e-4);
    await same(
      jit((a: any, b: any) => jnp.linalg.solve(a, b)),
      [P, B],
      1e-4,
    );
    const [inv] = await same((x) => jnp.linalg.inv(x), [Sq], 1e-4);
    await near(mm(inv, gpu(Sq)), jnp.broadcast_to(eye(4), [3, 4, 4]), 1e-4);
  });
});
