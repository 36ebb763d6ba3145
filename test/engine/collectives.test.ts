/**
 * @file Named axes, collectives and pmap against JAX 0.10.2 (fixtures/collectives.json, made by
 * fixtures/make_collectives.py on 4 CPU devices): for each program its jaxpr (JAX's exact text),
 * its results, and for the exported ones the StableHLO text; JAX's NameError for unbound axis
 * names; pmap's sharded results (devicePut, addressableShards); collectives under vmap, pmap,
 * grad and jit. The engine is loaded with TJAX_CPU_DEVICES=4, as JAX ran with 4 CPU devices.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

process.env.TJAX_CPU_DEVICES = '4';
const t = await import('../../src/engine/index.js');
const { caseFunction, toArray } = await import('../../scripts/export-corpus.js');
type Case = import('../../scripts/export-corpus.js').Case;

const fx = JSON.parse(readFileSync(new URL('../../fixtures/collectives.json', import.meta.url), 'utf8')) as {
  cases: (Case & {
    jaxpr: string;
    text?: string;
    outputs: { shape: number[]; data: (number | string)[] }[];
  })[];
  errors: (Case & { error: string; message: string })[];
};

function close(got: ArrayLike<number>, want: (number | string)[]): void {
  const w = want.map(Number);
  expect(got.length).toBe(w.length);
  for (let i = 0; i < w.length; i++)
    expect(Math.abs(Number(got[i]) - w[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(w[i])));
}

describe('collectives and pmap match JAX', () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const f = caseFunction(c);
      const args = c.args.map(toArray);
      const jaxpr = String(t.makeJaxpr(f)(...args));
      expect(jaxpr).toBe(c.jaxpr);
      const outs = t.tree.leaves(f(...args)) as InstanceType<typeof t.Array>[];
      expect(outs.length).toBe(c.outputs.length);
      for (const [i, o] of outs.entries()) {
        expect([...o.shape]).toEqual(c.outputs[i].shape);
        close(o.dataSync() as ArrayLike<number>, c.outputs[i].data);
      }
      if (c.text)
        expect(
          t
            .jit(f)
            .lower(...args)
            .asText({ dialect: 'stablehlo' }),
        ).toBe(c.text);
    });
  }
});

describe("JAX's errors for unbound axis names", () => {
  type Fn = (...xs: InstanceType<typeof t.Array>[]) => unknown;
  const FNS: Record<string, Fn> = {
    psum_unbound: (x) => t.lax.psum(x, 'i'),
    psum_wrong_name: (x) =>
      t.vmap((v: InstanceType<typeof t.Array>) => t.lax.psum(v, 'j'), { axisName: 'i' })(x),
    axis_index_unbound: () => t.lax.axisIndex('i'),
  };
  for (const e of fx.errors) {
    it(e.name, () => {
      const f = FNS[e.name];
      let err: Error | null = null;
      try {
        t.makeJaxpr(f)(...e.args.map(toArray));
      } catch (x) {
        err = x as Error;
      }
      expect(err?.name).toBe(e.error);
      expect(err?.message).toBe(e.message);
    });
  }
});

describe('pmap', () => {
  const x = t.numpy.arange(12, { dtype: 'float32' }).reshape([4, 3]) as InstanceType<typeof t.Array>;
  const double = t.pmap((v: InstanceType<typeof t.Array>) => t.numpy.multiply(v, 2), { axisName: 'i' });

  it('places one block per CPU device', () => {
    expect(t.devices('cpu').length).toBe(4);
    const y = double(x) as InstanceType<typeof t.Array>;
    expect(String(y.sharding)).toBe(
      "NamedSharding(mesh=Mesh('i': 4, axis_types=(Auto,)), spec=P('i',), memory_kind=device)",
    );
    expect(y.devices().map(String)).toEqual(['cpu:0', 'cpu:1', 'cpu:2', 'cpu:3']);
    const shards = y.addressableShards as {
      device: unknown;
      index: number[][];
      data: InstanceType<typeof t.Array>;
    }[];
    expect(shards.map((s) => String(s.device))).toEqual(['cpu:0', 'cpu:1', 'cpu:2', 'cpu:3']);
    expect(shards[2].index).toEqual([
      [2, 3],
      [0, 3],
    ]);
    expect(Array.from(shards[2].data.dataSync() as Float32Array)).toEqual([12, 14, 16]);
    expect(String(shards[2].data.device)).toBe('cpu:2');
  });

  it('results print, compute further and move with devicePut', () => {
    const y = double(x) as InstanceType<typeof t.Array>;
    expect(String(y)).toBe(String(t.numpy.multiply(x, 2)));
    const z = t.devicePut(y, 'cpu:1') as InstanceType<typeof t.Array>;
    expect(String(z.device)).toBe('cpu:1');
    expect(z.sharding).toBeNull();
    expect(Array.from(t.numpy.add(y, 1).dataSync() as Float32Array)[4]).toBe(9);
    const s = new t.NamedSharding(new t.Mesh(t.devices('cpu').slice(0, 2), ['k'], [2]), t.P('k'));
    const w = t.devicePut(x, s) as InstanceType<typeof t.Array>;
    expect((w.addressableShards as unknown[]).length).toBe(2);
  });

  it('refuses a mapped size larger than the devices', () => {
    expect(() => double(t.numpy.ones([5, 3]) as InstanceType<typeof t.Array>)).toThrow(
      /requires 5 logical devices, but only 4 XLA devices/,
    );
  });

  it('is differentiable, batchable and jittable', () => {
    const f = t.pmap((v: InstanceType<typeof t.Array>) => t.lax.psum(t.numpy.multiply(v, v), 'i'), {
      axisName: 'i',
    });
    const loss = (v: InstanceType<typeof t.Array>) => t.numpy.sum(f(v) as InstanceType<typeof t.Array>);
    // d/dv sum_j psum(v^2) = 4 * 2v (each of the 4 members' outputs counts every v).
    const g = t.grad(loss)(x) as InstanceType<typeof t.Array>;
    close(
      g.dataSync() as ArrayLike<number>,
      Array.from(x.dataSync() as Float32Array, (v) => 8 * v),
    );
    const gj = t.jit(t.grad(loss))(x) as InstanceType<typeof t.Array>;
    close(gj.dataSync() as ArrayLike<number>, Array.from(g.dataSync() as Float32Array));
    const xs = t.numpy.stack([x, t.numpy.multiply(x, 2)]) as InstanceType<typeof t.Array>;
    const vb = t.vmap(f)(xs) as InstanceType<typeof t.Array>;
    expect([...vb.shape]).toEqual([2, 4, 3]);
    close(
      Array.from(vb.dataSync() as Float32Array).slice(12),
      Array.from(
        (
          f(t.numpy.multiply(x, 2) as InstanceType<typeof t.Array>) as InstanceType<typeof t.Array>
        ).dataSync() as Float32Array,
      ),
    );
  });
});
