/**
 * @file Asynchronous dispatch on the CPU (src/engine/backends/cpu/executor.ts): a jitted call
 * whose program is heavy returns before its computation ends and runs on the executor thread;
 * reads wait for it (dataSync, printing, await data(), blockUntilReady()); calls that read pending
 * results run after them, in order, with the bits synchronous dispatch gives; an error in a kernel
 * surfaces at the read, naming the operation, and fails what reads its result; light programs on
 * ready inputs run at once; a process neither exits before an awaited read nor waits for
 * computations nobody reads.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch, isPending, setCpuAsync } from '../../src/engine/backends/cpu/executor.js';
import { buffersFor, instantiate } from '../../src/engine/backends/cpu/program.js';
import type { ProgramDesc } from '../../src/engine/backends/cpu/program-desc.js';
import { setCpuThreads } from '../../src/engine/backends/cpu/threads.js';
import type { TypedArray } from '../../src/engine/core/dtype.js';
import type { Value } from '../../src/engine/index.js';
import { jit, numpy as jnp, lax, random } from '../../src/engine/index.js';

afterEach(() => {
  setCpuAsync(null);
  setCpuThreads(null);
});

const bufOf = (v: Value) => (v as unknown as { buffer: TypedArray }).buffer;

function bytes(d: TypedArray): Buffer {
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

/**
 * A heavy program: a 256x256 float32 matmul chain, tens of milliseconds even with the native
 * tier's AVX-512 GEMM (12 products took about 7 ms there, less than starting the executor again).
 */
const heavy = jit((x: Value) => {
  let y = x;
  for (let i = 0; i < 64; i++) y = jnp.tanh(jnp.matmul(y, x).mul(0.01));
  return y;
});
const x0 = random.normal(random.key(0), [256, 256]);

describe('asynchronous dispatch', () => {
  it('returns before the computation ends; every kind of read waits for it', async () => {
    setCpuThreads(2);
    setCpuAsync(true);
    await heavy(x0).blockUntilReady();
    setCpuAsync(false);
    const want = Buffer.from(bytes(heavy(x0).dataSync()));
    setCpuAsync(true);
    const y = heavy(x0);
    // Nothing has waited for it: the call returned while the executor computes.
    expect(isPending(bufOf(y))).toBe(true);
    expect(bytes(y.dataSync())).toEqual(want);
    expect(isPending(bufOf(y))).toBe(false);
    const z = heavy(x0);
    expect(Buffer.from(bytes(await z.data()))).toEqual(want);
    const w = heavy(x0);
    await w.blockUntilReady();
    expect(isPending(bufOf(w))).toBe(false);
    const p = heavy(x0);
    expect(String(p)).toBe(String(y));
  });

  it('host work overlaps the computation', async () => {
    setCpuThreads(2);
    setCpuAsync(true);
    await heavy(x0).blockUntilReady();
    const y = heavy(x0);
    // The main thread counts while the executor computes.
    let spins = 0;
    while (isPending(bufOf(y)) && spins < 1e9) spins++;
    expect(spins).toBeGreaterThan(0);
    await y.blockUntilReady();
  });

  it('runs dependent calls in order, with the bits synchronous dispatch gives', async () => {
    setCpuThreads(2);
    const chain = () => {
      let a = x0;
      const outs: Value[] = [];
      for (let i = 0; i < 4; i++) {
        a = heavy(a);
        // A light eager op on a pending result, and a light jitted one on that.
        const b = jnp.sum(a, { axis: 0 }).mul(2);
        outs.push(b, jit((v: Value) => v.add(1))(b));
      }
      return [a, ...outs];
    };
    setCpuAsync(false);
    const want = chain().map((v) => Buffer.from(bytes(v.dataSync())));
    setCpuAsync(true);
    const got = chain();
    expect(got.some((v) => isPending(bufOf(v)))).toBe(true);
    for (const [i, v] of got.entries()) expect(bytes(await v.data()), `output ${i}`).toEqual(want[i]);
  });

  it('runs light programs on ready inputs at once', () => {
    setCpuThreads(2);
    setCpuAsync(true);
    const a = jnp.ones([8]).add(1);
    expect(isPending(bufOf(a))).toBe(false);
    expect(Array.from(a.dataSync() as Float32Array)).toEqual(new Array(8).fill(2));
  });

  it('is synchronous with one thread or when switched off', () => {
    setCpuThreads(1);
    setCpuAsync(true);
    expect(isPending(bufOf(heavy(x0)))).toBe(false);
    setCpuThreads(2);
    setCpuAsync(false);
    expect(isPending(bufOf(heavy(x0)))).toBe(false);
  });

  it('control flow runs on the executor: a jitted while loop', async () => {
    setCpuThreads(2);
    setCpuAsync(true);
    const f = jit((n: Value) =>
      lax.whileLoop(
        (c: Value[]) => lax.lt(c[0], n),
        (c: Value[]) => [c[0].add(1), c[1].mul(2)],
        [0, 1.0],
      ),
    );
    const [i, v] = f(10) as Value[];
    expect(await i.item()).toBe(10);
    expect(await v.item()).toBe(1024);
  });
});

describe('errors', () => {
  /** A one-kernel program that reads b0 and writes b1, rendered from `body`. */
  function program(body: string): ProgramDesc {
    return {
      buffers: [
        { dtype: 'float32', size: 4, role: 'input' },
        { dtype: 'float32', size: 4, role: 'output' },
      ],
      inputs: [0],
      outputs: [1],
      work: 4,
      steps: [
        {
          kind: 'gen',
          name: 'map_0',
          source: `(rt, b0, b1, lo, hi) => { ${body} }`,
          params: [0, 1],
          extent: 4,
          work: 4,
          carry: false,
          large: false,
          out: 1,
        },
      ],
    };
  }
  let ids = 1 << 30;
  /** Queues `desc` on the executor (it runs here only where the executor stops before it). */
  const run = (desc: ProgramDesc, input: TypedArray) => {
    const inst = instantiate(desc);
    const runInto = (ins: readonly unknown[], outs: readonly TypedArray[]) => {
      const bufs = buffersFor(inst, ins, outs);
      for (const s of inst.steps) s.run(bufs);
    };
    return dispatch({ desc, id: ids++, label: 'jit(test_op)', heavy: true, runInto }, [input], () => {
      throw new Error('not queued');
    })[0];
  };
  const values = (d: TypedArray) => Array.from(d as Float32Array);

  it('surfaces at the read, naming the operation and the kernel, and fails what reads the result', async () => {
    setCpuThreads(2);
    setCpuAsync(true);
    const failing = run(program("throw new RangeError('index out of range');"), new Float32Array(4));
    const after = run(program('for (let i = lo; i < hi; i++) b1[i] = b0[i] + 1;'), failing);
    const fine = run(
      program('for (let i = lo; i < hi; i++) b1[i] = b0[i] * 2;'),
      new Float32Array([1, 2, 3, 4]),
    );
    const { CpuBackend } = await import('../../src/engine/backends/cpu/backend.js');
    const cpu = new CpuBackend();
    expect(() => cpu.toHostSync(failing)).toThrow(RangeError);
    expect(() => cpu.toHostSync(failing)).toThrow('jit(test_op): kernel map_0 failed: index out of range');
    await expect(cpu.toHost(after)).rejects.toThrow('jit(test_op): kernel map_0 failed: index out of range');
    expect(values(await cpu.toHost(fine))).toEqual([2, 4, 6, 8]);
    // A failed result stays failed: reads keep throwing, and ops on it fail at their reads.
    expect(isPending(after)).toBe(true);
    const y = jnp.asarray(new Float32Array([1, 2, 3, 4]));
    expect(() =>
      cpu.toHostSync(run(program('for (let i = lo; i < hi; i++) b1[i] = b0[i];'), failing)),
    ).toThrow('index out of range');
    // Later work runs as before: queued programs, and jitted calls on the executor and here.
    expect(
      values(cpu.toHostSync(run(program('for (let i = lo; i < hi; i++) b1[i] = b0[i] - 1;'), y.dataSync()))),
    ).toEqual([0, 1, 2, 3]);
    setCpuAsync(false);
    const want = Buffer.from(bytes(heavy(x0).dataSync()));
    setCpuAsync(true);
    expect(bytes(heavy(x0).dataSync())).toEqual(want);
  });

  it('an executor that stops fails the program it ran; the queued ones run here, later ones on a new executor', async () => {
    setCpuThreads(2);
    setCpuAsync(true);
    const { CpuBackend } = await import('../../src/engine/backends/cpu/backend.js');
    const cpu = new CpuBackend();
    const gone = run(program('process.exit(7);'), new Float32Array(4));
    const after = run(program('for (let i = lo; i < hi; i++) b1[i] = b0[i] + 1;'), gone);
    const queued = run(
      program('for (let i = lo; i < hi; i++) b1[i] = b0[i] * 3;'),
      new Float32Array([1, 2, 3, 4]),
    );
    // The read blocks in Atomics.wait: the thread's exit wakes it (no event loop turn needed).
    expect(() => cpu.toHostSync(gone)).toThrow('jit(test_op): the CPU executor stopped while running it');
    await expect(cpu.toHost(after)).rejects.toThrow('the CPU executor stopped while running it');
    expect(values(cpu.toHostSync(queued))).toEqual([3, 6, 9, 12]);
    // A new executor takes the next heavy call.
    const y = heavy(x0);
    expect(isPending(bufOf(y))).toBe(true);
    setCpuAsync(false);
    const want = Buffer.from(bytes(heavy(x0).dataSync()));
    setCpuAsync(true);
    expect(bytes(y.dataSync())).toEqual(want);
    expect(
      values(
        cpu.toHostSync(
          run(program('for (let i = lo; i < hi; i++) b1[i] = -b0[i];'), new Float32Array([1, 2, 3, 4])),
        ),
      ),
    ).toEqual([-1, -2, -3, -4]);
  });
});

describe('the process', () => {
  const script = (body: string) => `
import { jit, numpy as jnp, random } from './src/engine/index.js';
const x = random.normal(random.key(0), [512, 512]);
const f = jit((a) => { let y = a; for (let i = 0; i < 8; i++) y = jnp.tanh(jnp.matmul(y, a).mul(0.01)); return y; });
${body}
`;
  const runScript = (body: string) =>
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(body)], {
      encoding: 'utf8',
      cwd: new URL('../..', import.meta.url).pathname,
      env: { ...process.env, TJAX_CPU_THREADS: '2' },
      timeout: 120_000,
    });
  it('waits for an awaited read before exiting', () => {
    const out = runScript("f(x).data().then((d) => console.log('read', d.length));");
    expect(out).toContain('read 262144');
  });
  it('exits without waiting for results nobody reads', () => {
    const out = runScript("f(x); console.log('dispatched');");
    expect(out).toContain('dispatched');
  });
});
