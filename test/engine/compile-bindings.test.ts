/**
 * @file compile/bindings.ts: splitting kernels that read more buffers than a backend may bind.
 * Each case lowers a program (by hand in the kernel IR, or from a jitted function), fits it to a
 * small limit, and runs both forms on the CPU: every kernel of the fitted program binds at most
 * the limit, and the values agree bit for bit (materialized subexpressions are computed with the
 * same operations in the same order, and float32 results are stored exactly).
 */
import { describe, expect, it } from 'vitest';
import { resolveDevice } from '../../src/engine/backends/registry.js';
import { fitBindings, kernelBindings } from '../../src/engine/compile/bindings.js';
import {
  bin,
  type Kernel,
  type KernelProgram,
  linearIndex,
  load,
  loopVars,
  type SExpr,
} from '../../src/engine/compile/kir.js';
import { float32 } from '../../src/engine/core/dtype.js';
import { jit, numpy as jnp, type Value } from '../../src/engine/index.js';

const cpu = () => resolveDevice('cpu').backend;

/** Run a program on the CPU backend; its outputs as host arrays. */
function run(p: KernelProgram, inputs: Float32Array[]): number[][] {
  const be = cpu();
  const exe = be.compile(p);
  const outs = be.execute(
    exe,
    inputs.map((x) => be.fromHost(x, float32)),
  );
  return outs.map((b, i) => {
    const info = p.buffers[p.outputs[i]];
    return Array.from(be.toHostSync!(b, info.dtype, info.size) as Float32Array);
  });
}

function data(n: number, seed: number): Float32Array {
  // A small deterministic spread of values with varied exponents.
  return Float32Array.from({ length: n }, (_, i) =>
    Math.fround(Math.sin(seed * 7.1 + i * 1.3) * (1 + seed / 5)),
  );
}

function widest(p: KernelProgram, extra: Partial<Record<Kernel['kind'], number>> = {}): number {
  return Math.max(...p.kernels.map((k) => kernelBindings(k) + (extra[k.kind] ?? 0)));
}

/** n inputs of `shape` (some broadcast rows of length shape[1]), summed into one map kernel. */
function wideSum(n: number, shape: [number, number], rowEvery = 0): KernelProgram {
  const [rows, cols] = shape;
  const buffers: KernelProgram['buffers'] = [];
  const inputs: number[] = [];
  const [i0, i1] = loopVars('i', 2);
  let expr: SExpr | null = null;
  for (let j = 0; j < n; j++) {
    const row = rowEvery > 0 && j % rowEvery === 0;
    buffers.push({ id: j, dtype: float32, size: row ? cols : rows * cols, role: 'input' });
    inputs.push(j);
    const idx = row ? i1 : linearIndex([i0, i1], [cols, 1]);
    const x = load(j, idx, float32);
    expr = expr ? bin('add', expr, j % 3 === 2 ? bin('mul', x, x) : x) : x;
  }
  buffers.push({ id: n, dtype: float32, size: rows * cols, role: 'output' });
  return {
    buffers,
    inputs,
    outputs: [n],
    kernels: [{ kind: 'map', out: n, shape: [rows, cols], expr: expr! }],
  };
}

function inputsFor(p: KernelProgram): Float32Array[] {
  return p.inputs.map((b, j) => data(p.buffers[b].size, j + 1));
}

describe('fitBindings', () => {
  it('leaves a program whose kernels fit as it is', () => {
    const p = wideSum(7, [3, 4]);
    expect(fitBindings(p, { limit: 8 })).toBe(p);
  });

  it('splits a sum of 40 inputs so that every kernel binds at most 8 buffers, same values', () => {
    const p = wideSum(40, [5, 6]);
    expect(widest(p)).toBe(41);
    const q = fitBindings(p, { limit: 8 });
    expect(widest(q)).toBeLessThanOrEqual(8);
    // Greedy: each new kernel takes as many inputs as it may (7 reads), so few kernels.
    expect(q.kernels.length).toBeLessThanOrEqual(Math.ceil(40 / 6));
    const xs = inputsFor(p);
    expect(run(q, xs)).toEqual(run(p, xs));
    // The original program is untouched.
    expect(p.kernels.length).toBe(1);
  });

  it('materializes a subexpression over the loop variables it uses only', () => {
    // Every input is a row broadcast over the rows: the split-off kernels are 1-D.
    const p = wideSum(20, [64, 3], 1);
    const q = fitBindings(p, { limit: 6 });
    expect(widest(q)).toBeLessThanOrEqual(6);
    for (const k of q.kernels.slice(0, -1)) expect(k.kind === 'map' && k.shape).toEqual([3]);
    const xs = inputsFor(p);
    expect(run(q, xs)).toEqual(run(p, xs));
  });

  it('counts the bindings a backend adds (a reduction scratch buffer)', () => {
    const f = jit((...xs: Value[]) =>
      jnp.sum(
        xs.reduce((a, b) => a.mul(b).add(b)),
        { axis: 1 },
      ),
    );
    const args = Array.from({ length: 12 }, (_, j) =>
      jnp.array(Array.from(data(24, j + 1)), { dtype: 'float32' }).reshape([4, 6]),
    );
    const p = f.lower(...args).compile().executable.compiled.program;
    const extra = { reduce: 1 };
    const q = fitBindings(p, { limit: 8, extra });
    expect(widest(q, extra)).toBeLessThanOrEqual(8);
    const xs = args.map((a) => a.dataSync() as Float32Array);
    expect(run(q, xs)).toEqual(run(p, xs));
  });

  it('splits jitted programs of 30 arguments: elementwise, a reduction prologue and its epilogue', () => {
    const f = jit((...xs: Value[]) => {
      const e = xs.slice(1).reduce((a, b, j) => (j % 2 ? a.add(b) : a.mul(b.tanh())), xs[0]);
      // A reduction over a product of many inputs, and an epilogue reading many more.
      const prod = xs.slice(0, 15).reduce((a, b) => a.add(b.exp()));
      const s = jnp.sum(prod, { axis: 0 });
      const epi = xs.slice(15).reduce((a, b) => a.add(jnp.sum(b, { axis: 0 })), s.mul(2));
      const m = jnp.max(e.add(xs[3]), { axis: 1 });
      return [
        e,
        epi,
        m,
        jnp.argmax(e.sub(xs[7]).mul(xs[8]), { axis: 1 }),
        jnp.cumsum(e.mul(xs[9]), { axis: 1 }),
      ];
    });
    const args = Array.from({ length: 30 }, (_, j) =>
      jnp.array(Array.from(data(35, j + 1)), { dtype: 'float32' }).reshape([5, 7]),
    );
    const p = f.lower(...args).compile().executable.compiled.program;
    expect(widest(p)).toBeGreaterThan(16);
    const xs = args.map((a) => a.dataSync() as Float32Array);
    for (const limit of [4, 5, 8, 16]) {
      const q = fitBindings(p, { limit });
      expect(widest(q)).toBeLessThanOrEqual(limit);
      expect(run(q, xs)).toEqual(run(p, xs));
    }
  });

  it('refuses a limit too small to split to', () => {
    expect(() => fitBindings(wideSum(10, [2, 2]), { limit: 3 })).toThrow(/too small/);
    expect(() => fitBindings(wideSum(10, [2, 2]), { limit: 4, extra: { reduce: 1 } })).toThrow(/too small/);
  });
});
