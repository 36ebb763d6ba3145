/**
 * @file jit: the trace cache (hits, misses and what makes a retrace: shapes, dtypes, weak types,
 * static arguments by position and by name), concretization errors for JS control flow on
 * tracers, and kernel fusion (compile/plan.ts: elementwise chains are one kernel, a reduction
 * takes its producers as a prologue and its elementwise consumer as an epilogue).
 *
 * Expected values follow JAX's jit semantics (jax.jit's cache is keyed on the input avals incl.
 * weak types and on static arguments); numbers are checked against values computed by hand.
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import { ConcretizationTypeError, jit, numpy as jnp, lax, makeJaxpr } from '../../../src/engine/index.js';

const f32 = (v: number[]) => jnp.array(v, { dtype: 'float32' });

describe('jit cache', () => {
  it('hits for the same avals and retraces on a new shape, dtype or weak type', () => {
    const f = jit((x: Value) => x.mul(2));
    f(f32([1, 2, 3]));
    f(f32([4, 5, 6]));
    expect([f.traceCount, f.cacheSize]).toEqual([1, 1]);
    f(f32([1, 2]));
    expect([f.traceCount, f.cacheSize]).toEqual([2, 2]);
    f(jnp.array([1, 2], { dtype: 'int32' }));
    expect([f.traceCount, f.cacheSize]).toEqual([3, 3]);
    // A JS scalar is weakly typed: f32[] weak and f32[] strong are different avals.
    const r1 = f(2.5) as Value;
    const r2 = f(jnp.array(2.5, { dtype: 'float32' })) as Value;
    expect([f.traceCount, f.cacheSize]).toEqual([5, 5]);
    expect([r1.weakType, r2.weakType]).toEqual([true, false]);
    f(3.5);
    expect(f.traceCount).toBe(5);
  });

  it('retraces per value of a static argument given by position', async () => {
    const f = jit((x: Value, n: number) => x.mul(n), { staticArgnums: 1 });
    expect(await f(f32([1, 2]), 3).tolist()).toEqual([3, 6]);
    expect(await f(f32([1, 2]), 3).tolist()).toEqual([3, 6]);
    expect(f.traceCount).toBe(1);
    expect(await f(f32([1, 2]), 4).tolist()).toEqual([4, 8]);
    expect(f.traceCount).toBe(2);
    // Static values are baked into the jaxpr as literals.
    expect(f.lower(f32([1, 2]), 4).asText()).toContain('mul a 4.0:f32[]');
  });

  it('static arguments by name come from a trailing options object', async () => {
    const f = jit((x: Value, opts: { n: number; scale: Value }) => x.pow(opts.n).mul(opts.scale), {
      staticArgnames: 'n',
    });
    const x = f32([1, 2, 3]);
    expect(await f(x, { n: 2, scale: f32([1, 1, 2]) }).tolist()).toEqual([1, 4, 18]);
    expect(await f(x, { n: 2, scale: f32([2, 2, 2]) }).tolist()).toEqual([2, 8, 18]);
    expect(f.traceCount).toBe(1);
    expect(await f(x, { n: 3, scale: f32([1, 1, 1]) }).tolist()).toEqual([1, 8, 27]);
    expect(f.traceCount).toBe(2);
  });

  it('accepts pytrees of arguments and returns the output tree', async () => {
    const f = jit((p: { w: Value; b: Value }, x: Value) => ({ y: x.mul(p.w).add(p.b), n: [x.sum()] }));
    const out = f({ w: f32([2, 2]), b: f32([1, 0]) }, f32([3, 4])) as any;
    expect(await out.y.tolist()).toEqual([7, 8]);
    expect(await out.n[0].tolist()).toBe(7);
  });
});

describe('concretization errors', () => {
  it('a JS `if (x > 0)` on a tracer raises a helpful ConcretizationTypeError', () => {
    const f = jit((x: Value) => {
      if ((x as any) > 0) return x;
      return x.neg();
    });
    let err: unknown;
    try {
      f(1.5);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConcretizationTypeError);
    const msg = (err as Error).message;
    expect(msg).toContain(
      'Abstract tracer value encountered where concrete value is expected: traced array with shape float32[]',
    );
    expect(msg).toContain('JS comparison');
    expect(msg).toContain('staticArgnums');
    expect(msg).toContain('lax.cond / jnp.where');
    expect(msg).toContain('https://docs.jax.dev/en/latest/errors.html#jax.errors.ConcretizationTypeError');
  });

  it('Number(tracer) raises; String(tracer) describes it', () => {
    expect(() => makeJaxpr((x: Value) => f32([Number(x)]))(f32([1]))).toThrow(ConcretizationTypeError);
    let text = '';
    makeJaxpr((x: Value) => {
      text = `${x}`;
      return x;
    })(2.5);
    expect(text).toBe('JitTracer(~float32[])');
  });

  it('concrete arrays still convert to JS numbers', () => {
    expect(Number(f32([2.5]))).toBe(2.5);
    expect((f32([3]) as unknown as number) > (f32([2]) as unknown as number)).toBe(true);
  });
});

describe('kernel fusion', () => {
  const x = f32([0.5, -1, 2, 3]);
  it('sin(x) * 2 + 1 is one kernel', async () => {
    const f = jit((v: Value) => jnp.sin(v).mul(2).add(1));
    expect(f.lower(x).compile().kernelCount).toBe(1);
    const eager = await jnp.sin(x).mul(2).add(1).data();
    expect(await f(x).data()).toEqual(eager);
  });

  it('softmax: the shared exp, the reduction, and the division', async () => {
    const f = jit((v: Value) => {
      const e = jnp.exp(v.sub(jnp.max(v)));
      return e.div(jnp.sum(e));
    });
    // max reduction, exp (shared, materialized once), sum reduction, normalizing map.
    expect(f.lower(x).compile().kernelCount).toBe(4);
    const out = (await f(x).tolist()) as number[];
    expect(out.reduce((a, b) => a + b)).toBeCloseTo(1, 6);
  });

  it('a reduction takes its elementwise producer and consumer (prologue and epilogue)', async () => {
    const f = jit((v: Value) => jnp.sqrt(jnp.sum(v.mul(v), { axis: 1 })));
    const m = jnp.array(
      [
        [3, 4],
        [6, 8],
      ],
      { dtype: 'float32' },
    );
    expect(f.lower(m).compile().kernelCount).toBe(1);
    expect(await f(m).tolist()).toEqual([5, 10]);
    const g = jit((v: Value) => jnp.sum(jnp.exp(v)).div(3));
    expect(g.lower(x).compile().kernelCount).toBe(1);
  });

  it('eager and jit agree bit for bit on a chain of ops', async () => {
    const v = f32([0.1, 0.2, 0.3, 1e-3, 7, -7]);
    const chain = (t: Value) =>
      jnp
        .tanh(
          jnp
            .exp(t)
            .mul(0.3)
            .sub(jnp.log1p(jnp.abs(t))),
        )
        .div(lax.sqrt(t.mul(t).add(1)));
    expect(await jit(chain)(v).data()).toEqual(await chain(v).data());
  });
});
