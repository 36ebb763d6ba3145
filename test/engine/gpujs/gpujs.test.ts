/**
 * @file The gpu.js backend against the CPU backend: elementwise families on float32 (float32
 * tolerance), small integers and bools (exact), reductions, argmax, cumulative sums, matmul 64 and
 * 128, fusion (one gpu.js kernel per elementwise chain), and visible CPU fallbacks (sort, int32
 * data, control flow). Runs in whichever mode gpu.js picks (WebAssembly without a display,
 * headless-gl under xvfb-run); `TJAX_GPUJS_MODE` pins one and the test checks it was honoured.
 *
 * When gpu.js cannot start the file skips with the reason; under CI (gpu.js is a dependency) it
 * fails.
 */

import { describe, expect, it } from 'vitest';
import type { GpuJsBackend } from '../../../src/engine/backends/gpujs/backend.js';
import { devicePut, jit, numpy as jnp, lax, resolveDevice } from '../../../src/engine/index.js';
import { deviceAvailable } from '../../device-available.js';

const available = await deviceAvailable('gpujs', 'gpujs');

const d = describe.skipIf(!available);
type F = (...xs: any[]) => any;
const backend = () => resolveDevice('gpujs').backend as GpuJsBackend;

async function read(x: any): Promise<any> {
  if (Array.isArray(x)) return Promise.all(x.map(read));
  return {
    data: Array.from(await x.data(), (v: any) => (typeof v === 'bigint' ? Number(v) : v)),
    dtype: x.dtype.name,
    shape: x.shape,
  };
}

function close(a: number, b: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

/** Run `f` on the cpu and on gpujs (inputs committed there) and compare. */
async function same(f: F, xs: any[], tol?: { rtol?: number; atol?: number }): Promise<void> {
  const onCpu = f(...xs.map((x) => devicePut(x, 'cpu')));
  const onGpu = f(...xs.map((x) => devicePut(x, 'gpujs')));
  const gs = Array.isArray(onGpu) ? onGpu : [onGpu];
  for (const y of gs) expect(String(y.device)).toBe('gpujs:0');
  const c = await read(Array.isArray(onCpu) ? onCpu : [onCpu]);
  const g = await read(gs);
  c.forEach((cv: any, i: number) => {
    const gv = g[i];
    expect(gv.dtype).toBe(cv.dtype);
    expect(gv.shape).toEqual(cv.shape);
    if (!tol) {
      expect(gv.data).toEqual(cv.data);
      return;
    }
    const bad = cv.data.findIndex(
      (v: number, j: number) => !close(gv.data[j], v, tol.rtol ?? 2e-6, tol.atol ?? 1e-6),
    );
    if (bad >= 0) expect([bad, gv.data[bad]]).toEqual([bad, cv.data[bad]]);
  });
}

const f32 = (v: number[]) => jnp.array(v, { dtype: 'float32' });
const i8 = (v: number[]) => jnp.array(v, { dtype: 'int8' });
const i32 = (v: number[]) => jnp.array(v, { dtype: 'int32' });
const b = (v: boolean[]) => jnp.array(v, { dtype: 'bool' });

const FX = [-3.5, -2, -1, -0.5, -0, 0, 0.25, 0.5, 1, 1.5, 2.5, 3, 7.25, 100, Number.NaN, Infinity, -Infinity];
const UNIT = [-0.99, -0.5, -0.1, 0, 1e-6, 0.3, 0.75, 0.999];
const POS = [1e-6, 0.01, 0.5, 1, 1.5, 2, 3.7, 10, 55.5, 1000];

/** The compiled text of `f` on gpujs inputs (kernel placement is in it). */
function lowered(f: F, ...xs: any[]): { text: string; kernels: number } {
  const c = jit(f)
    .lower(...xs.map((x) => devicePut(x, 'gpujs')))
    .compile();
  return { text: c.asText(), kernels: c.kernelCount };
}

d('gpujs: device', () => {
  it('reports its mode', () => {
    const be = backend();
    expect(['headlessgl', 'webasm']).toContain(be.mode);
    const forced = process.env.TJAX_GPUJS_MODE;
    if (forced) expect(be.mode).toBe(forced);
    expect(resolveDevice('gpujs').description).toMatch(/^gpu\.js 2\.24\.1, /);
    if (be.mode === 'webasm') expect(be.note).toBeTruthy();
  });
});

d('gpujs: elementwise float32', () => {
  const unary: [string, F, number[], number?][] = [
    ['neg', lax.neg, FX],
    ['sign', lax.sign, FX],
    ['floor', lax.floor, FX],
    ['ceil', lax.ceil, FX],
    ['round', (x) => lax.round(x), FX],
    ['round_even', (x) => lax.round(x, 1), FX],
    ['abs', lax.abs, FX],
    ['exp', lax.exp, FX.filter((v) => Math.abs(v) < 80 || !Number.isFinite(v))],
    ['exp2', lax.exp2, FX],
    ['log', lax.log, POS],
    ['log1p', lax.log1p, [...UNIT, ...POS]],
    ['expm1', lax.expm1, [...UNIT, -5, 5, 20]],
    ['sqrt', lax.sqrt, POS],
    ['rsqrt', lax.rsqrt, POS],
    ['cbrt', lax.cbrt, [...FX.filter(Number.isFinite), 27, -8]],
    ['sin', lax.sin, [...UNIT, 2, 3, -3]],
    ['cos', lax.cos, [...UNIT, 2, 3, -3]],
    ['tan', lax.tan, UNIT],
    ['asin', lax.asin, UNIT],
    ['acos', lax.acos, UNIT],
    ['atan', lax.atan, FX],
    ['sinh', lax.sinh, [...UNIT, 5, -5]],
    ['cosh', lax.cosh, [...UNIT, 5, -5]],
    ['tanh', lax.tanh, [...UNIT, 5, -5, 30, -30]],
    ['asinh', lax.asinh, [...UNIT, 5, -5, 1e5]],
    ['acosh', lax.acosh, [1, 1.5, 2, 10, 1e5]],
    ['atanh', lax.atanh, UNIT],
    ['logistic', lax.logistic, [...UNIT, -20, 20]],
    ['is_finite', lax.isFinite, FX],
  ];
  for (const [name, f, xs, rtol] of unary) {
    it(name, async () => {
      await same(f, [f32(xs)], { rtol: rtol ?? 1e-5, atol: 1e-6 });
    });
  }

  const A = [-3.5, -2, -1, 0, 0.5, 1, 2, 3, 7.25, Number.NaN, 2, -0];
  const B = [2, 3, -1.5, 1, 4, 0.5, -2, 3, 0.25, 1, Number.NaN, 0];
  const binary: [string, F, number?][] = [
    ['add', lax.add],
    ['sub', lax.sub],
    ['mul', lax.mul],
    ['div', lax.div, 1e-6],
    ['rem', lax.rem, 1e-6],
    ['pow', lax.pow, 1e-5],
    // GLSL's min/max do not order -0 below +0: compared with a tolerance, which equates zeros.
    ['max', lax.max, 1e-7],
    ['min', lax.min, 1e-7],
    ['atan2', lax.atan2, 1e-5],
    ['eq', lax.eq],
    ['ne', lax.ne],
    ['lt', lax.lt],
    ['le', lax.le],
    ['gt', lax.gt],
    ['ge', lax.ge],
  ];
  for (const [name, f, rtol] of binary) {
    it(name, async () => {
      await same(f, [f32(A), f32(B)], rtol ? { rtol, atol: 1e-6 } : undefined);
    });
  }
  it('pow of negative bases and integer exponents', async () => {
    await same(lax.pow, [f32([-2, -2, -8, 0, 0, 4]), f32([3, 2, 1 / 3, -1, 2, 0.5])], { rtol: 1e-6 });
  });
  it('select, clamp, where on broadcast and transposed operands', async () => {
    await same((c, x, y) => lax.select(c, x, y), [b([true, false, true]), f32([1, 2, 3]), f32([4, 5, 6])]);
    await same((x) => lax.clamp(0, x, 2), [f32([-1, 0.5, 3])]);
    const x = jnp.arange(60).astype('float32').reshape([3, 4, 5]);
    await same(
      (x, y) => jnp.where(x.gt(20), x.T.sum(), y.mul(x.transpose([2, 1, 0]).T)),
      [x, f32([1, 2, 3, 4, 5])],
      {
        rtol: 1e-6,
      },
    );
  });
});

d('gpujs: small integers and bools', () => {
  it('int8 arithmetic is exact', async () => {
    const x = i8([7, -7, 100, -100, 0, 5, -1, 3]);
    const y = i8([2, 3, -7, 7, 0, -2, 0, 3]);
    for (const f of [lax.add, lax.sub, lax.max, lax.min, lax.div, lax.rem, lax.eq, lax.lt])
      await same(f, [x, y]);
    await same(lax.neg, [x]);
    await same(lax.abs, [x]);
    const { text } = lowered((a: any, c: any) => lax.div(a, c), x, y);
    expect(text).toMatch(/on gpujs/);
    expect(text).not.toMatch(/on cpu/);
  });
  it('bool logic and conversions', async () => {
    const x = b([true, true, false, false]);
    const y = b([true, false, true, false]);
    for (const f of [lax.bitwiseAnd, lax.bitwiseOr, lax.bitwiseXor, lax.eq, lax.ne]) await same(f, [x, y]);
    await same(lax.bitwiseNot, [x]);
    const v = f32([1.7, -1.7, 300, -300, Number.NaN, Infinity, 0, 127.9]);
    for (const t of ['int8', 'uint8', 'int16', 'bool']) await same((z) => lax.convertElementType(z, t), [v]);
  });
  it('iota arithmetic stays exact and runs on gpujs', async () => {
    const x = jnp.array([1, -2, 300, -32768, 32767, 0, 5, 9], { dtype: 'int16' });
    await same((v) => v.add(jnp.arange(8).mul(3)), [x]);
    expect(lowered((v: any) => v.add(jnp.arange(8).mul(3)), x).text).not.toMatch(/on cpu/);
  });
});

d('gpujs: reductions, scans, matmul', () => {
  const x = jnp.sin(jnp.arange(6 * 7 * 8).astype('float32')).reshape([6, 7, 8]);
  it('sum, max, min, prod, mean over axes', async () => {
    const tol = { rtol: 1e-5, atol: 1e-5 };
    await same((v) => jnp.sum(v), [x], tol);
    await same((v) => jnp.sum(v, { axis: 1 }), [x], tol);
    await same((v) => jnp.max(v, { axis: [0, 2] }), [x]);
    await same((v) => jnp.min(v, { axis: 2 }), [x]);
    await same((v) => jnp.prod(v.add(1), { axis: 0 }), [x], tol);
    await same((v) => jnp.mean(v.mul(v), { axis: -1 }), [x], tol);
  });
  it('NaN propagates through max; any/all; argmax/argmin', async () => {
    await same((v) => jnp.max(v, { axis: 1 }), [f32([1, Number.NaN, 3, 4, 5, 6]).reshape([2, 3])]);
    await same((v) => jnp.any(v.gt(0.9), { axis: 1 }), [x]);
    await same((v) => jnp.all(v.gt(-0.99), { axis: 2 }), [x]);
    await same((v) => jnp.argmax(v, { axis: 1 }), [x]);
    await same((v) => jnp.argmin(v, { axis: 2 }), [x]);
  });
  it('softmax: a reduction with its epilogue', async () => {
    await same(
      (v) => {
        const e = jnp.exp(v);
        return e.div(jnp.sum(e, { axis: -1, keepdims: true }));
      },
      [x],
      { rtol: 1e-5, atol: 1e-6 },
    );
  });
  it('cumsum and cummax, forward and reversed', async () => {
    const tol = { rtol: 1e-5, atol: 1e-6 };
    await same((v) => jnp.cumsum(v, { axis: 1 }), [x], tol);
    await same((v) => lax.cummax(v, { axis: 2, reverse: true }), [x]);
  });
  for (const n of [64, 128]) {
    it(`matmul ${n}`, async () => {
      const a = jnp.sin(jnp.arange(n * n).astype('float32')).reshape([n, n]);
      const c = jnp.cos(jnp.arange(n * n).astype('float32')).reshape([n, n]);
      await same((p, q) => jnp.matmul(p, q), [a, c], { rtol: 1e-4, atol: 1e-4 });
      await same((p, q) => jnp.matmul(p.T, q), [a, c], { rtol: 1e-4, atol: 1e-4 });
      const { text } = lowered((p: any, q: any) => jnp.matmul(p, q), a, c);
      expect(text).not.toMatch(/on cpu/);
    });
  }
});

d('gpujs: fusion and placement', () => {
  it('a fused elementwise chain is one gpu.js kernel', async () => {
    const v = jnp.linspace(-3, 3, 1000).astype('float32');
    const { text, kernels } = lowered((x: any) => jnp.sin(x).mul(2).add(1).tanh(), v);
    expect(kernels).toBe(1);
    expect(text.match(/on gpujs/g)?.length).toBe(1);
    expect(text).toMatch(/Math\.sin/);
    await same((x) => jnp.sin(x).mul(2).add(1), [v], { rtol: 1e-5, atol: 1e-6 });
  });
  it('a sort falls back to the cpu, visibly, and the result is right', async () => {
    const v = f32([3, -1, 2, Number.NaN, 0, 5]);
    const { text } = lowered((x: any) => jnp.sort(x.mul(2)).add(1), v);
    expect(text).toMatch(/sort_\d+ on cpu \(fallback: library kernel sort has no gpu\.js form\)/);
    expect(text).toMatch(/map_\d+ on gpujs/);
    await same((x) => jnp.sort(x.mul(2)).add(1), [v]);
  });
  it('int32 data falls back, saying why; results stay exact', async () => {
    const v = i32([2147483647, -5, 16777217, 3]);
    const { text } = lowered((x: any) => x.add(1), v);
    expect(text).toMatch(/on cpu \(fallback: .*int32/);
    await same((x) => x.add(1), [v]);
  });
  it('the incomplete gamma and beta functions fall back to the cpu, visibly, with its results', async () => {
    const a = f32([0.5, 2, 30, 1000]);
    const x = f32([0.3, 2.5, 28, 990]);
    for (const f of [lax.igamma, lax.igammac, lax.igammaGradA, lax.randomGammaGrad]) {
      const { text } = lowered((u: any, v: any) => f(u, v).mul(2), a, x);
      expect(text).toMatch(
        /on cpu \(fallback: gpu\.js has no (igamma|igammac|igamma_grad_a|random_gamma_grad)\)/,
      );
      await same((u, v) => f(u, v).mul(2), [a, x]);
    }
    const b = f32([0.5, 3, 20, 1000]);
    const t = f32([0.3, 0.5, 0.6, 0.49]);
    const { text } = lowered((u: any, v: any, w: any) => lax.betainc(u, v, w).add(1), a, b, t);
    expect(text).toMatch(/on cpu \(fallback: gpu\.js has no betainc\)/);
    await same((u, v, w) => lax.betainc(u, v, w).add(1), [a, b, t]);
  });
  it('control flow runs on the host', async () => {
    const f = (x: any) => lax.foriLoop(0, 3, (_i: any, c: any) => c.mul(2).add(1), x);
    await same(f, [f32([1, 2, 3])]);
  });
  it('counts kernels by device', async () => {
    const be = backend();
    const before = { ...be.stats };
    await jnp.sort(devicePut(f32([3, 1, 2]), 'gpujs').mul(2)).data();
    expect(be.stats.gpujsKernels).toBeGreaterThan(before.gpujsKernels);
    expect(be.stats.cpuKernels).toBeGreaterThan(before.cpuKernels);
  });
});
