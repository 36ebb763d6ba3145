/**
 * @file Control flow (primitives/control.ts, lax/control.ts, compile/control.ts,
 * backends/cpu/control.ts) against JAX 0.10.2: values, dtypes and weak types eagerly and under
 * jit, printed jaxprs, error texts; and compilation: a jitted loop is one kernel of the outer
 * program (not unrolled), nested loops and loops inside nested jits compile and run.
 *
 * Expected values: fixtures/control.json, written by fixtures/make_control.py. CASES below are the
 * TypeScript spellings of the Python functions of the same names. JS has no float literal
 * distinct from an integer one, so a Python `0.` initial carry is written `wf(0)` (a weakly
 * typed float32 scalar).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../src/engine/index.js';
import { jit, numpy as jnp, lax, makeJaxpr } from '../../src/engine/index.js';
import { convertElementType } from '../../src/engine/lax/convert.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fx = JSON.parse(readFileSync(join(root, 'fixtures', 'control.json'), 'utf8')) as Record<string, Entry>;

interface Out {
  dtype: string;
  shape: number[];
  weak: boolean;
  value: unknown;
}
interface Entry {
  jaxpr?: string;
  out?: Out[];
  error?: { type: string; text: string };
}

const f32 = (v: unknown) => jnp.array(v, { dtype: 'float32' });
const i32 = (v: unknown) => jnp.array(v, { dtype: 'int32' });
/** A weakly typed float32 scalar: Python's `0.`. */
const wf = (v: number) => convertElementType(v, 'float32', true);
/**
 * jnp.ones/zeros(shape) as JAX stages them under a trace (`broadcast_in_dim 1.0:f32[]`); tjax's
 * jnp creation functions make concrete arrays, which would be closed over as constants instead.
 */
const full = (shape: readonly number[], v: number) => lax.broadcastInDim(f32(v), shape, []);

type F = (...args: any[]) => any;

function newtonSqrt(a: Value) {
  const cond = (s: [Value, Value]) => {
    const [x, n] = s;
    return jnp.abs(x.mul(x).sub(a)).gt(1e-6).and(n.lt(50));
  };
  const body = (s: [Value, Value]) => {
    const [x, n] = s;
    return [x.add(a.div(x)).div(2), n.add(1)];
  };
  return lax.whileLoop(cond as F, body as F, [a, 0]);
}

function linrec(elems: [Value, Value]) {
  const combine = (p: [Value, Value], q: [Value, Value]): [Value, Value] => {
    const [a1, b1] = p;
    const [a2, b2] = q;
    return [a1.mul(a2), a2.mul(b1).add(b2)];
  };
  return lax.associativeScan(combine, elems);
}

function nested(x: Value) {
  const outer = (i: Value, c: Value) => lax.foriLoop(0, 3, (j: Value, d: Value) => d.add(i.mul(j)), c);
  return lax.foriLoop(0, 4, outer, x);
}

const condPytree = (p: Value, x: Value, y: Value) =>
  lax.cond(
    p,
    (t: [Value, Value]) => ({ a: t[0].mul(2), b: t[1].add(1) }),
    (t: [Value, Value]) => ({ a: t[0].sub(1), b: t[1].mul(3) }),
    [x, y],
  );

const switch3 = (i: Value, x: Value) =>
  lax.switch(i, [(a: Value) => a.add(1), (a: Value) => a.sub(2), (a: Value) => a.add(3)], x);

const CASES: Record<string, [F, () => unknown[]]> = {
  cond: [
    (x: Value) =>
      lax.cond(
        x.ge(0),
        (a: Value) => a.add(3),
        (a: Value) => a.sub(3),
        x,
      ),
    () => [f32(5)],
  ],
  cond_false: [
    (x: Value) =>
      lax.cond(
        x.ge(0),
        (a: Value) => a.add(3),
        (a: Value) => a.sub(3),
        x,
      ),
    () => [f32(-5)],
  ],
  switch: [switch3, () => [i32(1), f32(5)]],
  switch_clamp: [switch3, () => [i32(7), f32(5)]],
  cond_pytree: [condPytree, () => [jnp.array(true), f32([1, 2]), i32([3, 4])]],
  cond_pytree_false: [condPytree, () => [jnp.array(false), f32([1, 2]), i32([3, 4])]],
  cond_const: [
    (p: Value, x: Value, y: Value) =>
      lax.cond(
        p.ge(0),
        (t: [Value, Value]) => t[0],
        (t: [Value, Value]) => f32([1]).add(t[1]),
        [x, y],
      ),
    () => [f32(-5), f32([0]), f32(2)],
  ],
  cond_int_pred: [
    (n: Value, x: Value) =>
      lax.cond(
        n,
        (a: Value) => a.mul(2),
        (a: Value) => a,
        x,
      ),
    () => [i32(3), f32([1, 2])],
  ],
  cond_closure: [
    (x: Value, y: Value) =>
      lax.cond(
        x.index(0).gt(0),
        () => x.mul(y),
        () => x.add(y),
      ),
    () => [f32([1, 2]), f32([3, 4])],
  ],
  while: [
    (x: Value) =>
      lax.whileLoop(
        (c: Value) => c.lt(10),
        (c: Value) => c.mul(2),
        x,
      ),
    () => [f32(1)],
  ],
  while_counter: [
    (x: Value) =>
      lax.whileLoop(
        (c: [Value, Value]) => c[0].lt(10),
        (c: [Value, Value]) => [c[0].add(1), c[1].mul(1.5)],
        [0, x],
      ),
    () => [f32([1, 2])],
  ],
  while_newton: [newtonSqrt, () => [f32(2)]],
  while_closure: [
    (x: Value, k: Value) =>
      lax.whileLoop(
        (c: [Value, Value]) => c[0].lt(k),
        (c: [Value, Value]) => [c[0].add(1), c[1].add(x)],
        [0, full(x.shape, 0)],
      ),
    () => [f32([1, 2, 3]), i32(4)],
  ],
  fori_dynamic: [
    (arg: Value, n: Value) =>
      lax.foriLoop(
        0,
        n,
        (_i: Value, carry: Value) => carry.add(full(arg.shape, 1).mul(3)).add(arg),
        arg.add(1),
      ),
    () => [f32([1, 2, 3]), i32(5)],
  ],
  fori_static: [(x: Value) => lax.foriLoop(0, 3, (i: Value, c: Value) => c.add(i), x), () => [f32(1)]],
  fori_static_1000: [
    (x: Value) => lax.foriLoop(0, 1000, (i: Value, c: Value) => c.mul(0.999).add(wf(0.001).mul(i)), x),
    () => [f32([0, 1])],
  ],
  nested_loops: [nested, () => [f32(0)]],
  scan_cumsum: [
    (xs: Value) => lax.scan((c: Value, x: Value) => [c.add(x), c], wf(0), xs),
    () => [f32([1, 2, 3, 4])],
  ],
  scan_consts: [
    (arr: Value, extra: Value) =>
      lax.scan((c: Value, a: [Value, Value]) => [c.add(a[0].mul(a[1])).add(extra), c], wf(0), [
        arr,
        full(arr.shape, 1),
      ]),
    () => [f32([1, 2, 3, 4]), f32(5)],
  ],
  scan_cumprod: [
    (xs: Value) => lax.scan((c: Value, x: Value) => [c.mul(x), c.mul(x)], f32(1), xs),
    () => [f32([1, 2, 3, 4, 0.5])],
  ],
  scan_reverse: [
    (xs: Value) => lax.scan((c: Value, x: Value) => [c.add(x), c.mul(10)], f32(0), xs, { reverse: true }),
    () => [f32([1, 2, 3, 4])],
  ],
  scan_length: [
    (x: Value) => lax.scan((c: Value, _: unknown) => [c.mul(2), c], x, null, { length: 5 }),
    () => [f32([1, 3])],
  ],
  scan_pytree: [
    (xs: Value, ys: Value) =>
      lax.scan(
        (c: { s: Value; n: Value }, e: [Value, Value]) => [
          { s: c.s.add(e[0]), n: c.n.add(1) },
          [e[0].mul(e[1]), c.s],
        ],
        { s: full([2], 0), n: i32(0) },
        [xs, ys],
      ),
    () => [
      f32([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      f32([
        [2, 2],
        [3, 3],
        [4, 4],
      ]),
    ],
  ],
  scan_unroll: [
    (xs: Value) => lax.scan((c: Value, x: Value) => [c.add(x), c], f32(0), xs, { unroll: 2 }),
    () => [f32([1, 2, 3])],
  ],
  map: [
    (xs: Value) => lax.map((x: Value) => x.mul(x).add(1), xs),
    () => [
      f32([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    ],
  ],
  map_batch_rem: [
    (xs: Value) => lax.map((x: Value) => jnp.sin(x).mul(2), xs, { batchSize: 3 }),
    () => [f32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])],
  ],
  map_batch_even: [
    (xs: Value) => lax.map((x: Value) => jnp.sin(x).mul(2), xs, { batchSize: 5 }),
    () => [f32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])],
  ],
  map_batch_big: [
    (xs: Value) => lax.map((x: Value) => jnp.sin(x).mul(2), xs, { batchSize: 20 }),
    () => [f32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])],
  ],
  map_batch_tree: [
    (a: Value, b: Value) =>
      lax.map(([p, q]: Value[]) => ({ s: p.add(q), m: jnp.sum(p.mul(q)) }), [a, b], { batchSize: 2 }),
    () => [
      f32([
        [0, 1],
        [2, 3],
        [4, 5],
        [6, 7],
        [8, 9],
      ]),
      jnp.ones([5, 2], { dtype: 'float32' }),
    ],
  ],
  assoc_add: [(x: Value) => lax.associativeScan(jnp.add, x), () => [f32([1, 2, 3, 4, 5, 6, 7])]],
  assoc_add_reverse: [
    (x: Value) => lax.associativeScan(jnp.add, x, { reverse: true }),
    () => [f32([1, 2, 3, 4, 5, 6, 7, 8])],
  ],
  assoc_max_axis1: [
    (x: Value) => lax.associativeScan(jnp.maximum, x, { axis: 1 }),
    () => [
      f32([
        [1, 5, 2, 7, 3],
        [9, 1, 8, 2, 10],
      ]),
    ],
  ],
  assoc_linrec: [
    (a: Value, b: Value) => linrec([a, b]),
    () => [f32([0.5, 2, 1, 0.5, 3, 1]), f32([1, 1, 2, 0, 1, -1])],
  ],
  cond_fwd: [
    (p: Value, x: Value, y: Value) =>
      lax.cond(
        p,
        (a: Value, b: Value) => [a, b.mul(2)],
        (a: Value, b: Value) => [a, b.add(1)],
        x,
        y,
      ),
    () => [jnp.array(true), f32([1, 2]), f32(3)],
  ],
  while_fwd: [
    (x: Value) =>
      lax.whileLoop(
        (c: [Value, Value]) => c[0].lt(5),
        (c: [Value, Value]) => [c[0].add(1), c[1]],
        [0, x],
      ),
    () => [f32([1, 2])],
  ],
  scan_fwd: [
    (c0: Value, xs: Value) => lax.scan((c: Value, x: Value) => [c, x.mul(c)], c0, xs),
    () => [f32(2), f32([1, 2, 3])],
  ],
  scan_fwd_xs: [
    (xs: Value) => lax.scan((c: Value, x: Value) => [c.add(x), x], f32(0), xs),
    () => [f32([1, 2, 3])],
  ],
  err_cond_branch: [
    (x: Value) =>
      lax.cond(
        x.gt(0),
        (a: Value) => a,
        (a: Value) => jnp.stack([a, a]),
        x,
      ),
    () => [f32(1)],
  ],
  err_cond_tree: [
    (x: Value) =>
      lax.cond(
        x.gt(0),
        (a: Value) => [a, a],
        (a: Value) => a,
        x,
      ),
    () => [f32(1)],
  ],
  err_while_carry: [
    (x: Value) =>
      lax.whileLoop(
        (c: [Value, Value]) => c[0].lt(3),
        (c: [Value, Value]) => [c[0].add(1), jnp.stack([c[1], c[1]])],
        [0, x],
      ),
    () => [f32(1)],
  ],
  err_while_dtype: [
    (x: Value) =>
      lax.whileLoop(
        (c: Value) => c.lt(3),
        (c: Value) => c.add(1.5),
        x,
      ),
    () => [i32(0)],
  ],
  err_scan_carry: [
    (xs: Value) => lax.scan((c: Value, x: Value) => [jnp.stack([c, x]), c], f32(0), xs),
    () => [f32([1, 2])],
  ],
  err_scan_tree: [
    (xs: Value) => lax.scan((c: Value, _x: Value) => [[c, c], c], f32(0), xs),
    () => [f32([1, 2])],
  ],
  err_while_pred: [
    (x: Value) =>
      lax.whileLoop(
        (c: Value) => c,
        (c: Value) => c.add(1),
        x,
      ),
    () => [f32(1)],
  ],
  err_scan_lengths: [
    (a: Value, b: Value) => lax.scan((c: Value, x: Value) => [c, x], wf(0), [a, b]),
    () => [f32([1, 2]), f32([1, 2, 3])],
  ],
  err_scan_length_mismatch: [
    (a: Value) => lax.scan((c: Value, x: Value) => [c, x], wf(0), a, { length: 3 }),
    () => [f32([1, 2])],
  ],
  err_scan_nothing: [(a: Value) => lax.scan((c: Value, x: Value) => [c, x], a, null), () => [f32(1)]],
};

/** JAX's float32 results are exact here except where XLA contracts a*b+c into an FMA. */
const APPROX = new Set(['fori_static_1000']);

async function describeOut(v: Value): Promise<Out> {
  return { dtype: v.dtype.name, shape: [...v.shape], weak: v.weakType, value: await v.tolist() };
}

function leaves(x: unknown): Value[] {
  if (Array.isArray(x)) return x.flatMap(leaves);
  if (x && typeof x === 'object' && !('aval' in x)) {
    return Object.keys(x)
      .sort()
      .flatMap((k) => leaves((x as Record<string, unknown>)[k]));
  }
  return x === null || x === undefined ? [] : [x as Value];
}

function closeTo(a: unknown, b: unknown): void {
  if (Array.isArray(a)) {
    for (let i = 0; i < a.length; i++) closeTo(a[i], (b as unknown[])[i]);
    return;
  }
  expect(Math.abs((a as number) - (b as number))).toBeLessThanOrEqual(1e-5 * Math.abs(b as number) + 1e-6);
}

async function check(name: string, outs: Value[], expected: Out[]): Promise<void> {
  const got = await Promise.all(outs.map(describeOut));
  if (APPROX.has(name)) {
    expect(got.map(({ value: _, ...r }) => r)).toEqual(expected.map(({ value: _, ...r }) => r));
    for (let i = 0; i < got.length; i++) closeTo(got[i].value, expected[i].value);
  } else expect(got).toEqual(expected);
}

/** JAX names a function's source line (`<lambda> at file.py:12`); tjax names only the function. */
function stripSource(text: string): string {
  return text.replace(/ at \/\S+:\d+$/gm, '');
}

describe('control flow values vs JAX', () => {
  for (const [name, [f, args]] of Object.entries(CASES)) {
    const e = fx[name];
    if (!e.out) continue;
    it(`${name} (eager)`, async () => {
      await check(name, leaves(f(...args())), e.out!);
    });
    it(`${name} (jit)`, async () => {
      await check(name, leaves(jit(f)(...args())), e.out!);
    });
  }
});

describe('printed jaxprs match JAX', () => {
  for (const [name, [f, args]] of Object.entries(CASES)) {
    const e = fx[name];
    if (!e.jaxpr) continue;
    it(name, () => {
      expect(String(makeJaxpr(f)(...args()))).toBe(e.jaxpr);
    });
  }
});

describe('errors match JAX', () => {
  for (const [name, [f, args]] of Object.entries(CASES)) {
    const e = fx[name];
    if (!e.error) continue;
    it(name, () => {
      let err: Error | undefined;
      try {
        f(...args());
      } catch (x) {
        err = x as Error;
      }
      expect(err).toBeDefined();
      expect(err!.message).toBe(stripSource(e.error!.text));
      expect(err!.name).toBe(e.error!.type === 'ValueError' ? 'RangeError' : 'TypeError');
    });
  }
});

describe('loops compile without unrolling', () => {
  it('a jitted 1000-iteration fori loop is a constant number of kernels and runs', async () => {
    const body = (i: Value, c: Value) => c.mul(0.5).add(i.astype('float32'));
    const f = (n: number) => jit((x: Value) => lax.foriLoop(0, n, body, x));
    const x = f32([1, 2, 3]);
    const k10 = f(10).lower(x).compile();
    const k1000 = f(1000).lower(x).compile();
    expect(k1000.kernelCount).toBe(k10.kernelCount);
    expect(k1000.kernelCount).toBeLessThanOrEqual(2);
    // c_{n} = c/2 + i converges to 2(n-1) - 2 + ... : compare with a JS loop in float32.
    const ref = [1, 2, 3].map((c0) => {
      let c = c0;
      for (let i = 0; i < 1000; i++) c = Math.fround(Math.fround(c * 0.5) + i);
      return c;
    });
    expect(await (f(1000)(x) as Value).tolist()).toEqual(ref);
  });

  it('a dynamic trip count compiles to a while kernel', async () => {
    const f = jit((x: Value, n: Value) => lax.foriLoop(0, n, (_i: Value, c: Value) => c.add(1), x));
    const c = f.lower(f32([0, 0]), i32(3)).compile();
    expect(c.executable.compiled.program.kernels.map((k) => k.kind)).toContain('while');
    expect(await (f(f32([0, 0]), i32(250)) as Value).tolist()).toEqual([250, 250]);
    expect(await (f(f32([0, 0]), i32(-4)) as Value).tolist()).toEqual([0, 0]);
  });

  it('cond is one kernel whose branches are nested programs', async () => {
    const f = jit((p: Value, x: Value) =>
      lax.cond(
        p,
        (a: Value) => jnp.sin(a).mul(2).add(1),
        (a: Value) => a.sum().add(a),
        x,
      ),
    );
    const c = f.lower(jnp.array(true), f32([1, 2])).compile();
    // The bool -> int32 index conversion is written by one map kernel; the branches are nested.
    expect(c.executable.compiled.program.kernels.map((k) => k.kind)).toEqual(['map', 'cond']);
    expect(await (f(jnp.array(false), f32([1, 2])) as Value).tolist()).toEqual([4, 5]);
  });

  it('nested loops: a scan inside a while inside a jit', async () => {
    const f = jit((x: Value) =>
      lax.whileLoop(
        (c: [Value, Value]) => c[0].lt(4),
        (c: [Value, Value]) => {
          const [n, v] = c;
          const [s] = lax.scan((acc: Value, e: Value) => [acc.add(e), acc], f32(0), v);
          return [n.add(1), v.add(s)];
        },
        [0, x],
      ),
    );
    const [n, v] = f(f32([1, 2])) as Value[];
    // Each round adds sum(v) to every element: [1,2] -> [4,5] -> [13,14] -> [40,41] -> [121,122].
    expect(await n.tolist()).toBe(4);
    expect(await v.tolist()).toEqual([121, 122]);
    const kinds = f
      .lower(f32([1, 2]))
      .compile()
      .executable.compiled.program.kernels.map((k) => k.kind);
    expect(kinds.filter((k) => k === 'while')).toHaveLength(1);
    expect(kinds).not.toContain('loop');
  });

  it('a loop inside jit inside jit', async () => {
    const inner = jit((x: Value) => lax.foriLoop(0, 5, (_i: Value, c: Value) => c.mul(2), x));
    const outer = jit((x: Value) => inner(x.add(1)).sub(1));
    expect(await (outer(f32([0, 1])) as Value).tolist()).toEqual([31, 63]);
    expect(String(makeJaxpr(outer)(f32([0, 1])))).toContain('scan[');
    // x+1 and the counter's initial 0 are written for the loop, the loop, then the final -1.
    expect(
      outer
        .lower(f32([0, 1]))
        .compile()
        .executable.compiled.program.kernels.map((k) => k.kind),
    ).toEqual(['map', 'map', 'loop', 'map']);
  });

  it('eager and jitted loops agree bit for bit', async () => {
    const f = (xs: Value) =>
      lax.scan((c: Value, x: Value) => [jnp.sin(c.mul(x)).add(c.div(3)), jnp.exp(c.neg())], f32(0.3), xs, {
        reverse: true,
      });
    const xs = f32([0.1, 1.7, -2.3, 4.1, 0.01, 9.5]);
    const [a, b] = f(xs) as Value[];
    const [c, d] = jit(f)(xs) as Value[];
    expect(await c.data()).toEqual(await a.data());
    expect(await d.data()).toEqual(await b.data());
  });

  it('zero-length scans return the initial carry and empty ys', async () => {
    const [c, ys] = lax.scan((c: Value, x: Value) => [c.add(x), c.mul(x)], f32(1), f32([])) as Value[];
    expect(await c.tolist()).toBe(1);
    expect(ys.shape).toEqual([0]);
  });
});
