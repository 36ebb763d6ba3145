/**
 * @file Control flow on the WebGPU backend (backends/webgpu/control.ts) beyond the values the
 * device suite (devices.test.ts) checks: scans and conds run without reading back, while loops
 * read one predicate per iteration, asynchronous runs keep device order with later ops and
 * disposals, nested loops and conds holding loops, grad through 0-d device constants, and
 * per-kernel times and transfers reported to observers (events.ts).
 *
 * Without an adapter the file skips with the reason; under CI it fails.
 */

import { describe, expect, it } from 'vitest';
import type { WebGpuBackend } from '../../../src/engine/backends/webgpu/backend.js';
import type { EngineEvent, Value } from '../../../src/engine/index.js';
import {
  devicePut,
  grad,
  jit,
  numpy as jnp,
  lax,
  linearize,
  observe,
  resolveDevice,
} from '../../../src/engine/index.js';
import { deviceAvailable } from '../../device-available.js';

const status = { available: await deviceAvailable('webgpu', 'webgpu control flow') };
const d = describe.skipIf(!status.available);

const backend = () => resolveDevice('webgpu').backend as WebGpuBackend;
const gpu = (v: unknown, dtype = 'float32') => devicePut(jnp.array(v, { dtype }), 'webgpu');
const cpu = (v: unknown, dtype = 'float32') => devicePut(jnp.array(v, { dtype }), 'cpu');
const f0 = (v: number) => jnp.array(v, { dtype: 'float32' });

async function list(x: Value): Promise<number[]> {
  return Array.from(await x.data(), Number);
}

/** The same function on both devices agrees (float32 tolerance). */
async function agree(f: (...xs: Value[]) => Value, args: [unknown, string?][]): Promise<number[]> {
  const c = await list(f(...args.map(([v, t]) => cpu(v, t))));
  const g = f(...args.map(([v, t]) => gpu(v, t)));
  expect(String((g as any).device)).toBe('webgpu:0');
  const gv = await list(g);
  expect(gv.length).toBe(c.length);
  gv.forEach((v, i) => {
    expect(Math.abs(v - c[i])).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(c[i]));
  });
  return gv;
}

d('webgpu control flow: no read-backs for scan and cond', () => {
  it('a jitted 200-iteration fori_loop is not unrolled and reads back only its result', async () => {
    const f = jit((x: Value) => lax.foriLoop(0, 200, (i: Value, c: Value) => c.mul(0.99).add(i), x));
    const x = gpu([1, 2, 3]);
    // The loop kernel, plus a map writing its constant initial counter.
    expect(f.lower(x).compile().kernelCount).toBeLessThanOrEqual(2);
    const before = backend().stats.readbacks;
    const y = f(x);
    const z = y.mul(2);
    expect(backend().stats.readbacks).toBe(before);
    const want = await list(f(cpu([1, 2, 3])).mul(2));
    const got = await list(z);
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(want[i], 2);
    });
    expect(backend().stats.readbacks).toBe(before + 1);
  });

  it('cond on a device predicate runs without reading the index', async () => {
    const f = jit((p: Value, x: Value) =>
      lax.cond(
        p.gt(0),
        (a: Value) => jnp.sin(a).mul(2),
        (a: Value) => a.sub(1),
        x,
      ),
    );
    for (const p of [1, -1]) {
      const before = backend().stats.readbacks;
      const out = f(gpu(p), gpu([0.5, 1.5]));
      const y = out.add(1);
      expect(backend().stats.readbacks).toBe(before);
      const want = await list(f(cpu(p), cpu([0.5, 1.5])).add(1));
      expect(await list(y)).toEqual(want);
    }
  });

  it('switch clamps its index, negative and past the end', async () => {
    const f = (i: Value, x: Value) =>
      lax.switch(i, [(a: Value) => a.add(1), (a: Value) => a.mul(10), (a: Value) => a.sub(5)], x);
    for (const i of [-3, 0, 1, 2, 9]) await agree(jit(f), [[i, 'int32'], [[1, 2]]]);
  });

  it('the lowered text shows the nested programs', () => {
    const f = jit((xs: Value) => lax.scan((c: Value, x: Value) => [c.add(x), c.mul(x)], f0(0), xs));
    const text = f
      .lower(gpu([1, 2, 3]))
      .compile()
      .asText();
    expect(text).toMatch(/loop_\d+: scan length=3 .*all iterations encoded/);
    expect(text).toContain('@compute');
  });
});

d('webgpu control flow: while loops and asynchronous runs', () => {
  it('reads one predicate per iteration', async () => {
    const f = (x: Value) =>
      lax.whileLoop(
        (c: Value) => c.lt(100),
        (c: Value) => c.mul(2),
        x,
      );
    const before = backend().stats.readbacks;
    const y = f(gpu(1));
    expect(await list(y)).toEqual([128]);
    // 8 predicates (7 true, 1 false) and the result.
    expect(backend().stats.readbacks - before).toBe(9);
  });

  it('keeps device order: ops after a while loop, and disposing its input, before it ran', async () => {
    const x = gpu([1, 2, 3]);
    const y = lax.whileLoop(
      (c: [Value, Value]) => c[0].lt(5),
      (c: [Value, Value]) => [c[0].add(1), c[1].mul(2).add(x)],
      [0, x],
    )[1];
    const z = y.add(1).mul(x);
    (x as any).dispose();
    const w = jnp.sum(z);
    expect(await list(w)).toEqual([(63 + 1) * 1 + (126 + 1) * 2 + (189 + 1) * 3]);
    expect(await list(z)).toEqual([64, 254, 570]);
  });

  it('runs a fori_loop with device bounds as a while loop', async () => {
    const f = (n: Value, x: Value) => lax.foriLoop(0, n, (i: Value, c: Value) => c.add(i), x);
    expect(await agree(f, [[4, 'int32'], [[1, 2]]])).toEqual([7, 8]);
    expect(await agree(jit(f), [[0, 'int32'], [[1, 2]]])).toEqual([1, 2]);
  });

  it('nests: a while inside a scan, a cond holding a while, a scan inside a while', async () => {
    const whileInScan = (xs: Value) =>
      lax.scan(
        (c: Value, x: Value) => {
          const y = lax.whileLoop(
            (v: Value) => v.lt(x.mul(10)),
            (v: Value) => v.add(3),
            c,
          );
          return [y, y.mul(2)];
        },
        f0(0),
        xs,
      )[1];
    await agree(jit(whileInScan), [[[1, 2, 3, 5]]]);
    const condWithWhile = (p: Value, x: Value) =>
      lax.cond(
        p.gt(0),
        (a: Value) =>
          lax.whileLoop(
            (v: Value) => v.lt(50),
            (v: Value) => v.mul(3),
            a,
          ),
        (a: Value) => a.neg(),
        x,
      );
    await agree(jit(condWithWhile), [[1], [2]]);
    await agree(jit(condWithWhile), [[-1], [2]]);
    const scanInWhile = (x: Value) =>
      lax.whileLoop(
        (c: Value) => jnp.sum(c).lt(1000),
        (c: Value) => lax.scan((s: Value, e: Value) => [s.add(e), s.add(e)], f0(1), c)[1],
        x,
      );
    await agree(jit(scanInWhile), [[[1, 2, 3]]]);
  });

  it('reverse scans, carries passed through, and duplicated outputs', async () => {
    const f = (xs: Value, k: Value) =>
      lax.scan(
        (c: [Value, Value], x: Value) => [
          [c[1], c[0].add(x).mul(k)],
          [x, x.add(c[0])],
        ],
        [f0(0), f0(1)],
        xs,
        { reverse: true },
      );
    const flatF = (xs: Value, k: Value) => {
      const [[a, b], [y1, y2]] = f(xs, k) as any;
      return jnp.concatenate([a.reshape([1]), b.reshape([1]), y1, y2]);
    };
    await agree(jit(flatF), [[[1, 2, 3, 4]], [0.5]]);
    await agree(flatF, [[[1, 2, 3, 4]], [0.5]]);
  });
});

d('webgpu transformations', () => {
  it('grad and linearize use 0-d device values as constants, not literals', async () => {
    const s = gpu(2);
    const g = grad((v: Value) => jnp.sin(v).mul(v))(s);
    expect(String((g as any).device)).toBe('webgpu:0');
    expect((await list(g))[0]).toBeCloseTo(Math.cos(2) * 2 + Math.sin(2), 5);
    const [y, lin] = linearize((v: Value) => jnp.sin(v).mul(v), s) as any;
    expect((await list(y))[0]).toBeCloseTo(Math.sin(2) * 2, 5);
    expect((await list(lin(gpu(1))))[0]).toBeCloseTo(Math.cos(2) * 2 + Math.sin(2), 5);
    const gs = grad((v: Value) => jnp.sum(v).mul(jnp.sum(v)))(gpu([1, 2, 3]));
    expect(await list(gs)).toEqual([12, 12, 12]);
  });
});

d('webgpu profiling', () => {
  it('reports per-kernel times and transfers to observers that ask for them', async () => {
    const f = jit((x: Value) => jnp.sum(jnp.sin(x).mul(2)));
    const events: EngineEvent[] = [];
    const stop = observe({ kernelTimes: true, event: (e) => void events.push(e) });
    try {
      const x = gpu([1, 2, 3, 4]);
      const y = f(x);
      await y.data();
    } finally {
      stop();
    }
    const ks = events.filter((e) => e.type === 'kernel' && e.program.startsWith('jit('));
    expect(ks).toHaveLength(1);
    // A two-pass reduction is one kernel in the profile.
    expect(ks[0]).toMatchObject({
      device: 'webgpu:0',
      kernel: 'reduce_0',
      kind: 'reduce',
      bytesIn: 16,
      bytesOut: 4,
    });
    const ts = events.filter((e) => e.type === 'transfer');
    expect(ts).toContainEqual(
      expect.objectContaining({ direction: 'to-device', device: 'webgpu:0', bytes: 16 }),
    );
    expect(ts).toContainEqual(
      expect.objectContaining({ direction: 'to-host', device: 'webgpu:0', bytes: 4 }),
    );
  });

  it('names a convolution run by the WebGPU conv library kernel as a conv', async () => {
    const events: EngineEvent[] = [];
    const stop = observe({ kernelTimes: true, event: (e) => void events.push(e) });
    try {
      const conv = jit((x: Value, k: Value) =>
        lax.convGeneralDilated(x, k, [1, 1], 'SAME', { dimensionNumbers: ['NHWC', 'HWIO', 'NHWC'] }),
      );
      const x = devicePut(jnp.ones([2, 8, 8, 4]), 'webgpu');
      const k = devicePut(jnp.ones([3, 3, 4, 4]), 'webgpu');
      await (conv(x, k) as any).blockUntilReady();
    } finally {
      stop();
    }
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'kernel',
        device: 'webgpu:0',
        kind: 'conv',
        bytesOut: 2 * 8 * 8 * 4 * 4,
      }),
    );
  });
});
