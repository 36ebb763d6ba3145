/**
 * @file JavaScript pitfalls JAX users fall into, and what tjax does about each: arrays and key
 * arrays iterate along axis 0 (`const [k1, k2] = random.split(key)`), under tracing too; a tracer
 * that leaks out of its transformation raises JAX's UnexpectedTracerError naming the function it
 * leaked from; every conversion JavaScript lets an object intercept (Number(x), `x < 1`,
 * x.valueOf(), JSON.stringify) raises the concretization error under a trace (`if (x)` cannot be
 * intercepted: the error text says so); reading values inside jit fails at once, not as an
 * unhandled promise rejection. Expected behaviour and messages are JAX 0.10.2's
 * (jax/_src/core.py's UnexpectedTracerError text, Array.__iter__).
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import {
  ConcretizationTypeError,
  grad,
  jit,
  numpy as jnp,
  makeJaxpr,
  random,
  UnexpectedTracerError,
  vmap,
} from '../../../src/engine/index.js';

const list = (v: unknown) => (v as { tolist(): Promise<unknown> }).tolist();

describe('iteration along axis 0', () => {
  it('arrays, eagerly', async () => {
    const x = jnp.array([
      [1, 2],
      [3, 4],
    ]);
    const rows: unknown[] = [];
    for (const row of x) rows.push(await list(row));
    expect(rows).toEqual([
      [1, 2],
      [3, 4],
    ]);
    const [a, b] = x;
    expect(await list(b)).toEqual([3, 4]);
    expect(await list(a.sum())).toBe(3);
    expect(() => [...jnp.array(1)]).toThrow(new TypeError('iteration over a 0-d array'));
  });

  it('key arrays: const [k1, k2] = random.split(key)', async () => {
    const [k1, k2] = random.split(random.key(0));
    const both = random.split(random.key(0));
    expect(await list(random.keyData(k1))).toEqual(await list(random.keyData(both.index(0))));
    expect(await list(random.keyData(k2))).toEqual(await list(random.keyData(both.index(1))));
    expect([...random.split(random.key(1), 3)]).toHaveLength(3);
  });

  it('tracers with a static leading dimension, under jit and vmap', async () => {
    const f = jit((m: Value) => {
      let acc = jnp.zeros([2]);
      for (const row of m) acc = acc.add(row);
      return acc;
    });
    expect(
      await list(
        f(
          jnp.array(
            [
              [1, 2],
              [3, 4],
              [5, 6],
            ],
            { dtype: 'float32' },
          ),
        ),
      ),
    ).toEqual([9, 12]);
    const g = vmap((r: Value) => {
      const [u, v] = r;
      return u.mul(v);
    });
    expect(
      await list(
        g(
          jnp.array(
            [
              [1, 2],
              [3, 4],
            ],
            { dtype: 'float32' },
          ),
        ),
      ),
    ).toEqual([2, 12]);
    expect(String(makeJaxpr((m: Value) => [...m].length)(jnp.zeros([3, 2])))).toContain('in (3:i32[],)');
  });
});

describe('leaked tracers', () => {
  it('raise UnexpectedTracerError naming the function and the transformation', () => {
    let leaked: Value | undefined;
    const f = jit(function f(x: Value) {
      leaked = x.mul(2);
      return x;
    });
    f(1.5);
    const err = (() => {
      try {
        jnp.sin(leaked!);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(UnexpectedTracerError);
    expect(err!.name).toBe('UnexpectedTracerError');
    expect(err!.message).toBe(
      [
        'Encountered an unexpected tracer. A function transformed by JAX had a side effect, allowing for a reference to an intermediate value with type float32[] wrapped in a DynamicJaxprTracer to escape the scope of the transformation.',
        'JAX transformations require that functions explicitly return their outputs, and disallow saving intermediate values to global state.',
        'The function being traced when the value leaked was f traced for jit.',
        'See https://docs.jax.dev/en/latest/errors.html#jax.errors.UnexpectedTracerError',
      ].join('\n'),
    );
    // Used inside another transformation, and passed back into the jitted function.
    expect(() => makeJaxpr((y: Value) => y.add(leaked!))(1.5)).toThrow(UnexpectedTracerError);
    expect(() => f(leaked!)).toThrow(UnexpectedTracerError);
  });

  it('from grad and vmap', () => {
    let leaked: Value | undefined;
    grad(function loss(x: Value) {
      leaked = x.mul(2);
      return x.mul(x);
    })(1.5);
    expect(() => jnp.sin(leaked!)).toThrow(
      /The function being traced when the value leaked was loss traced for grad/,
    );
    vmap(function per(x: Value) {
      leaked = x;
      return x;
    })(jnp.ones([2]));
    expect(() => jnp.sin(leaked!)).toThrow(/leaked was per traced for vmap/);
  });
});

describe('conversions JavaScript lets an object intercept', () => {
  it('raise the concretization error under a trace', () => {
    const cases: [string, (x: Value) => unknown][] = [
      ['Number(x)', (x) => Number(x)],
      ['x < 1', (x) => (x as unknown as number) < 1],
      // biome-ignore lint/suspicious/noDoubleEquals: loose equality coerces, which is the point here
      ['x == 1', (x) => (x as unknown as number) == 1],
      ['+x', (x) => +(x as unknown as number)],
      ['x.valueOf()', (x) => x.valueOf()],
      ['JSON.stringify(x)', (x) => JSON.stringify(x)],
    ];
    for (const [what, f] of cases)
      expect(() => jit(f as (x: Value) => Value)(1.5), what).toThrow(ConcretizationTypeError);
  });

  it('the error says what cannot be caught: if (x)', () => {
    try {
      jit((x: Value) => Number(x))(1.5);
    } catch (e) {
      expect((e as Error).message).toContain('A JS `if (x)`, `x && y` or `!x` cannot be caught');
    }
  });

  it('work on concrete arrays: a size-1 array is its scalar, JSON is nested lists', () => {
    const x = jnp.array([2.5], { dtype: 'float32' });
    expect(Number(x)).toBe(2.5);
    expect((x as unknown as number) < 3).toBe(true);
    expect(x.valueOf()).toBe(2.5);
    expect(JSON.stringify({ w: jnp.array([[1, 2]]) })).toBe('{"w":[[1,2]]}');
    expect(() => Number(jnp.array([1, 2]))).toThrow('only size-1 arrays can be converted to JS scalars');
  });
});

describe('reading values inside jit', () => {
  it('fails at once with the concretization error, never as an unhandled rejection', () => {
    for (const read of ['tolist', 'data', 'item', 'blockUntilReady'] as const) {
      const f = jit((x: Value) => {
        void (x[read] as () => unknown)();
        return x;
      });
      expect(() => f(jnp.ones([2])), read).toThrow(ConcretizationTypeError);
    }
  });
});
