/**
 * @file Cache keys as JAX hashes them (core/hash-key.ts): jit's static arguments by value when
 * hashable and by identity when not a value (functions, class instances), JAX's ValueError for the
 * unhashable ones (dicts, arrays), pytree structures with node types by identity, the eager
 * dispatch cache keyed by params with jaxprs by identity, and eager control flow keyed by every
 * branch. Each case is one that a key made of a name or a printed form gets wrong. Expected values
 * are JAX's behaviour (jax.jit's cache is a dict keyed by the static arguments' hashes; the error
 * text is jax/_src/pjit.py's for a dict static argument).
 */
import { describe, expect, it } from 'vitest';
import { identityId, paramKey, staticKey } from '../../../src/engine/core/hash-key.js';
import { bind } from '../../../src/engine/core/trace.js';
import type { Value } from '../../../src/engine/index.js';
import { jit, numpy as jnp, lax, makeJaxpr, tree } from '../../../src/engine/index.js';
import { cond_p } from '../../../src/engine/primitives/control.js';
import { traceToJaxpr } from '../../../src/engine/transforms/staging.js';

const num = (x: unknown) => Number(x as Value);

describe('jit static arguments', () => {
  it('keys functions by identity, not by name (two lambdas of one name)', () => {
    const ap = jit((n: number, f: (x: Value) => Value) => f(jnp.array(n)), { staticArgnums: [0, 1] });
    expect(num(ap(2, (x: Value) => x.mul(2)))).toBe(4);
    expect(num(ap(2, (x: Value) => x.mul(3)))).toBe(6);
    const named = (k: number) => Object.defineProperty((x: Value) => x.mul(k), 'name', { value: 'f' });
    expect(num(ap(2, named(5)))).toBe(10);
    expect(num(ap(2, named(7)))).toBe(14);
    // The same function object hits the cache.
    const g = (x: Value) => x.add(1);
    ap(2, g);
    const before = ap.traceCount;
    expect(num(ap(2, g))).toBe(3);
    expect(ap.traceCount).toBe(before);
  });

  it('keys class instances by identity and tuples by value', () => {
    class Cfg {
      constructor(readonly k: number) {}
    }
    const f = jit((x: Value, c: Cfg) => x.mul(c.k), { staticArgnums: 1 });
    expect(num(f(1, new Cfg(2)))).toBe(2);
    expect(num(f(1, new Cfg(3)))).toBe(3);
    const t = jit((x: Value, shape: number[]) => jnp.broadcastTo(x, shape), { staticArgnums: 1 });
    t(1, [2, 3]);
    t(1, [2, 3]);
    expect(t.traceCount).toBe(1);
    expect((t(1, [3, 2]) as Value).shape).toEqual([3, 2]);
  });

  it('tells apart values that print alike: 1, "1", 1n, true; 0 and -0', () => {
    const f = jit(
      (x: Value, v: unknown) => x.add(typeof v === 'string' ? 10 : typeof v === 'boolean' ? 20 : 0),
      {
        staticArgnums: 1,
      },
    );
    expect([f(0, 1), f(0, '1'), f(0, true), f(0, 1n)].map(num)).toEqual([0, 10, 20, 0]);
    expect(f.traceCount).toBe(4);
    const g = jit((x: Value, v: number) => x.add(Object.is(v, -0) ? 1 : 0), { staticArgnums: 1 });
    expect([num(g(0, 0)), num(g(0, -0))]).toEqual([0, 1]);
  });

  it('static arguments by name are keyed the same way', () => {
    const f = jit((x: Value, opts: { f: (v: Value) => Value }) => opts.f(x), { staticArgnames: 'f' });
    expect(num(f(2, { f: (v: Value) => v.mul(2) }))).toBe(4);
    expect(num(f(2, { f: (v: Value) => v.mul(3) }))).toBe(6);
  });

  it('raises JAX ValueError for an argument that cannot be hashed', () => {
    const f = jit((x: Value, _c: unknown) => x, { staticArgnums: 1 });
    expect(() => f(1, { a: 1 })).toThrow(
      /^Non-hashable static arguments are not supported. An error occurred while trying to hash an object of type dict, \{"a":1\}. The error was: TypeError: unhashable type: 'dict'$/,
    );
    expect(() => f(1, [1, { a: 1 }])).toThrow(/unhashable type: 'dict'/);
    expect(() => f(1, jnp.ones([2]))).toThrow(/unhashable type: 'ArrayImpl'/);
    expect(() => f(1, new Map())).toThrow(/unhashable type: 'dict'/);
    expect(() => f(1, new Float32Array(2))).toThrow(/unhashable type: 'Float32Array'/);
    try {
      f(1, { a: 1 });
    } catch (e) {
      expect((e as Error).name).toBe('ValueError');
    }
  });
});

describe('keys', () => {
  it('staticKey: by value for scalars and tuples, by identity for functions and instances', () => {
    const f = () => 1;
    const g = () => 1;
    expect(staticKey(f)).toBe(staticKey(f));
    expect(staticKey(f)).not.toBe(staticKey(g));
    expect(staticKey([1, 'a', [2n]])).toBe(staticKey([1, 'a', [2n]]));
    expect(staticKey(['a,b'])).not.toBe(staticKey(['a', 'b']));
    expect(staticKey(jnp.float32)).toBe(staticKey(jnp.float32));
    expect(identityId(f)).toBe(identityId(f));
  });

  it('paramKey: plain data by value, jaxprs by identity', () => {
    const j1 = traceToJaxpr((x) => [lax.sub(x, 1)], [jnp.zeros([]).aval]);
    const j2 = traceToJaxpr((x) => [lax.sub(x, 1)], [jnp.zeros([]).aval]);
    expect(paramKey({ a: [1, 2], b: null })).toBe(paramKey({ b: null, a: [1, 2] }));
    expect(paramKey({ jaxpr: j1 })).toBe(paramKey({ jaxpr: j1 }));
    expect(paramKey({ jaxpr: j1 })).not.toBe(paramKey({ jaxpr: j2 }));
  });
});

describe('pytree structures as keys', () => {
  it('two node classes registered under one name are different structures', () => {
    class A {
      constructor(readonly v: unknown) {}
    }
    class B {
      constructor(readonly v: unknown) {}
    }
    tree.registerPytreeNode(A, {
      name: 'Node',
      flatten: (a) => [[a.v], null],
      unflatten: (_, [v]) => new A(v),
    });
    tree.registerPytreeNode(B, {
      name: 'Node',
      flatten: (b) => [[b.v], null],
      unflatten: (_, [v]) => new B(v),
    });
    const f = jit((t: A | B) => (t instanceof A ? (t.v as Value).add(1) : (t.v as Value).add(2)));
    expect(num(f(new A(jnp.array(0))))).toBe(1);
    expect(num(f(new B(jnp.array(0))))).toBe(2);
    expect(tree.structure(new A(1)).equals(tree.structure(new B(1)))).toBe(false);
  });

  it('aux data is keyed as a value', () => {
    class P {
      constructor(
        readonly v: unknown,
        readonly tag: string,
      ) {}
    }
    tree.registerPytreeNode(P, {
      name: 'P',
      flatten: (p) => [[p.v], p.tag],
      unflatten: (t, [v]) => new P(v, t as string),
    });
    const f = jit((p: P) => (p.v as Value).add(p.tag === 'a' ? 1 : 2));
    expect(num(f(new P(jnp.array(0), 'a')))).toBe(1);
    expect(num(f(new P(jnp.array(0), 'b')))).toBe(2);
  });
});

describe('eager caches', () => {
  it('reduce_window with two computations of one printed form', () => {
    const x = jnp.array([1, 2, 3, 4], { dtype: 'float32' });
    const a = lax.reduceWindow(x, 0, (p: Value, q: Value) => lax.sub(p, lax.mul(q, 2)), [2], [1], 'VALID');
    const b = lax.reduceWindow(x, 0, (p: Value, q: Value) => lax.sub(q, lax.mul(p, 2)), [2], [1], 'VALID');
    expect([...(a as unknown as { dataSync(): Float32Array }).dataSync()]).toEqual([-6, -10, -14]);
    expect([...(b as unknown as { dataSync(): Float32Array }).dataSync()]).toEqual([0, -1, -2]);
  });

  it('eager cond is keyed by every branch, not the first alone', () => {
    const aval = jnp.zeros([], { dtype: 'float32' }).aval;
    const b0 = traceToJaxpr((x) => [lax.add(x, 1)], [aval]);
    const b1 = traceToJaxpr((x) => [lax.mul(x, 10)], [aval]);
    const b2 = traceToJaxpr((x) => [lax.mul(x, 100)], [aval]);
    const one = jnp.array(1, { dtype: 'int32' });
    const x = jnp.array(2, { dtype: 'float32' });
    expect(num(bind(cond_p, [one, x], { branches: [b0, b1] })[0])).toBe(20);
    expect(num(bind(cond_p, [one, x], { branches: [b0, b2] })[0])).toBe(200);
  });

  it('makeJaxpr of two lambdas of one name prints each', () => {
    const mk = (k: number) => Object.defineProperty((x: Value) => x.mul(k), 'name', { value: 'f' });
    const g = jit((x: Value, f: (v: Value) => Value) => f(x), { staticArgnums: 1 });
    const s2 = String(makeJaxpr((x: Value) => g(x, mk(2)))(1.0));
    const s3 = String(makeJaxpr((x: Value) => g(x, mk(3)))(1.0));
    expect(s2).toContain('mul a 2:i32[]');
    expect(s3).toContain('mul a 3:i32[]');
  });
});

describe('reduce_window computations', () => {
  it('are traced per pytree structure, with node types by identity', async () => {
    class A {
      constructor(readonly v: unknown) {}
    }
    class B {
      constructor(readonly v: unknown) {}
    }
    tree.registerPytreeNode(A, {
      name: 'Pair',
      flatten: (a) => [[a.v], null],
      unflatten: (_, [v]) => new A(v),
    });
    tree.registerPytreeNode(B, {
      name: 'Pair',
      flatten: (b) => [[b.v], null],
      unflatten: (_, [v]) => new B(v),
    });
    // The same function sees an A or a B: a trace cached under the printed structure would give
    // the B call the A trace (lax.add instead of lax.max).
    const comp = (p: A | B, q: A | B) =>
      p instanceof A
        ? new A(lax.add(p.v as Value, q.v as Value))
        : new B(lax.max(p.v as Value, q.v as Value));
    const x = jnp.array([1, 5, 2, 4], { dtype: 'float32' });
    const a = lax.reduceWindow(
      new A(x),
      new A(jnp.array(0, { dtype: 'float32' })),
      comp,
      [2],
      [1],
      'VALID',
    ) as A;
    const b = lax.reduceWindow(
      new B(x),
      new B(jnp.array(-1, { dtype: 'float32' })),
      comp,
      [2],
      [1],
      'VALID',
    ) as B;
    expect(await (a.v as Value).tolist()).toEqual([6, 7, 6]);
    expect(await (b.v as Value).tolist()).toEqual([5, 5, 4]);
  });
});
