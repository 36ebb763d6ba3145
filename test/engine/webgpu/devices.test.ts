/**
 * @file The device-parametrised suite (issue 5: "the engine's test suite runs on cpu and webgpu"):
 * one list of cases, run eagerly and under jit once per device with the inputs committed there and
 * the default device switched to it, compared with the same expected values from JAX 0.10.2.
 * Expected values are the existing fixtures (control, transforms, dot, sorting, indexing, random)
 * plus fixtures/devices.json (fixtures/make_devices.py) for elementwise chains, reductions, shapes,
 * vmap and jacobians. Integers and bools compare exactly; floats to float32 tolerance, since the
 * backends legitimately differ in the last bits (the CPU accumulates in double, WGSL's
 * transcendentals are not correctly rounded).
 *
 * Without a WebGPU adapter the webgpu half skips with the reason; under CI it fails.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Value } from '../../../src/engine/index.js';
import {
  config,
  devicePut,
  grad,
  jacfwd,
  jacrev,
  jit,
  numpy as jnp,
  lax,
  nn,
  random,
  tree,
  vmap,
} from '../../../src/engine/index.js';
import { deviceAvailable } from '../../device-available.js';

const gpuStatus = { available: await deviceAvailable('webgpu', 'the webgpu half of the device suite') };

const load = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../fixtures/${name}`, import.meta.url), 'utf8'));
const DEV = load('devices.json');
const CONTROL = load('control.json');
const TRANSFORMS = load('transforms.json');
const DOT = load('dot.json');
const SORTING = load('sorting.json');
const INDEXING = load('indexing.json');
const RANDOM = load('random.json');

type F = (...xs: any[]) => any;

/** Expected leaf: dtype, shape, flat data (numbers; NaN/inf as JSON strings are accepted). */
interface Want {
  dtype: string;
  shape: number[];
  data: (number | string | boolean)[];
  weak?: boolean;
}

interface Case {
  name: string;
  f: F;
  args: () => unknown[];
  want: Want[];
  /** Eager only (dynamic shapes, e.g. boolean masks). */
  noJit?: boolean;
  /** Float tolerance (relative, absolute). */
  tol?: [number, number];
}

const num = (v: number | string | boolean): number =>
  typeof v === 'string'
    ? v.toLowerCase() === 'nan'
      ? Number.NaN
      : Number(v.replace(/inf(inity)?/i, 'Infinity'))
    : Number(v);

const flat = (v: unknown): unknown[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);

function arr(e: { dtype: string; shape: number[]; data?: unknown[]; value?: unknown }): Value {
  const data = (e.data ?? flat(e.value)).map((v) => (e.dtype === 'bool' ? Boolean(v) : num(v as number)));
  return jnp.reshape(jnp.array(data, { dtype: e.dtype }), e.shape);
}

const { sl } = jnp;
const f32 = (v: unknown) => jnp.array(v, { dtype: 'float32' });
const i32 = (v: unknown) => jnp.array(v, { dtype: 'int32' });
const full = (shape: readonly number[], v: number) => lax.broadcastInDim(f32(v), shape, []);

// ---- cases from fixtures/devices.json -------------------------------------------------------------

const X = () => arr(DEV.inputs.X);
const I = () => arr(DEV.inputs.I);
const dev = (name: string, f: F, args: () => unknown[] = () => [X()], extra: Partial<Case> = {}): Case => ({
  name,
  f,
  args,
  want: [DEV[name]],
  ...extra,
});

const DEVICE_CASES: Case[] = [
  dev('chain', (x) =>
    jnp
      .sin(x)
      .mul(2)
      .add(jnp.exp(x.div(4))),
  ),
  dev('where', (x) => jnp.where(x.gt(0), jnp.sqrt(jnp.abs(x)), x.mul(x))),
  dev('logistic_tanh', (x) => nn.sigmoid(x).add(jnp.tanh(x))),
  dev(
    'int_ops',
    (i) => i.mul(3).add(7).floordiv(4).sub(i.mod(5)),
    () => [I()],
  ),
  dev(
    'int_shift_and',
    (i) => jnp.bitwise_xor(jnp.left_shift(i, 2), jnp.bitwise_and(i, 5)),
    () => [I()],
  ),
  dev('sum_axis0', (x) => jnp.sum(x, { axis: 0 })),
  dev('max_axis1', (x) => jnp.max(x, { axis: 1 })),
  dev('prod_all', (x) => jnp.prod(x.index([sl(null), sl(null, 3)]))),
  dev('mean_keepdims', (x) => jnp.mean(x, { axis: 1, keepdims: true })),
  dev('argmin_axis1', (x) => jnp.argmin(x, { axis: 1 })),
  dev(
    'sum_big',
    (x) => jnp.sum(x),
    () => [arr(DEV.inputs.BIG)],
    { tol: [1e-5, 1e-4] },
  ),
  dev(
    'max_big',
    (x) => jnp.max(x),
    () => [arr(DEV.inputs.BIG)],
  ),
  dev(
    'int_sum',
    (i) => jnp.sum(i, { axis: 1 }),
    () => [I()],
  ),
  dev('logsumexp', (x) => nn.logsumexp(x, { axis: 1 })),
  dev('softmax', (x) => nn.softmax(x, { axis: -1 })),
  dev('transpose_reshape', (x) => jnp.reshape(x.T, [2, 6])),
  dev('concat_pad', (x) =>
    jnp.pad(jnp.concatenate([x, x.mul(2)], { axis: 0 }), [
      [1, 0],
      [0, 2],
    ]),
  ),
  dev('flip_roll', (x) => jnp.roll(jnp.flip(x, 1), 1, { axis: 0 })),
  dev('vmap_dot', (x) => vmap((r: Value) => jnp.dot(r, r))(x)),
  dev('jacfwd_sin_sum', (x) => jacfwd((v: Value) => jnp.sin(v).mul(jnp.sum(v)))(x.index(0))),
  dev('jacrev_softmax', (x) => jacrev((v: Value) => nn.softmax(v))(x.index(1))),
  dev('grad_tanh_sum', (x) => grad((m: Value) => jnp.sum(jnp.tanh(m).pow(2)))(x)),
  dev(
    'grad_scalar',
    (s) => grad((v: Value) => jnp.sin(v).mul(v))(s),
    () => [f32(2)],
  ),
  dev('vmap_grad', (x) => vmap(grad((v: Value) => jnp.sum(v.pow(3))))(x)),
  dev('grad_scan', (x) =>
    grad((v: Value) => lax.scan((c: Value, e: Value) => [c.mul(e).add(1), c], f32(1), v)[0])(x.index(0)),
  ),
  dev('grad_while_fori', (x) =>
    grad((v: Value) => jnp.sum(lax.foriLoop(0, 3, (_i: Value, c: Value) => c.mul(v), v)))(x.index(2)),
  ),
  dev(
    'grad_cond',
    (s) => grad((v: Value) => lax.cond(v.gt(0), jnp.sin, jnp.cos, v))(s),
    () => [f32(0.5)],
  ),
];

// ---- control flow: fixtures/control.json (spellings as in test/engine/control.test.ts) ------------

const ctl = (name: string, f: F, args: () => unknown[], extra: Partial<Case> = {}): Case => ({
  name: `control ${name}`,
  f,
  args,
  want: (CONTROL[name].out as { dtype: string; shape: number[]; weak: boolean; value: unknown }[]).map(
    (o) => ({ dtype: o.dtype, shape: o.shape, data: flat(o.value) as number[], weak: o.weak }),
  ),
  ...extra,
});

const condAdd3 = (x: Value) =>
  lax.cond(
    x.ge(0),
    (a: Value) => a.add(3),
    (a: Value) => a.sub(3),
    x,
  );
const switch3 = (i: Value, x: Value) =>
  lax.switch(i, [(a: Value) => a.add(1), (a: Value) => a.sub(2), (a: Value) => a.add(3)], x);
const condPytree = (p: Value, x: Value, y: Value) =>
  lax.cond(
    p,
    (t: [Value, Value]) => ({ a: t[0].mul(2), b: t[1].add(1) }),
    (t: [Value, Value]) => ({ a: t[0].sub(1), b: t[1].mul(3) }),
    [x, y],
  );
function newtonSqrt(a: Value) {
  return lax.whileLoop(
    (s: [Value, Value]) => jnp.abs(s[0].mul(s[0]).sub(a)).gt(1e-6).and(s[1].lt(50)),
    (s: [Value, Value]) => [s[0].add(a.div(s[0])).div(2), s[1].add(1)],
    [a, 0],
  );
}
const nested = (x: Value) =>
  lax.foriLoop(
    0,
    4,
    (i: Value, c: Value) => lax.foriLoop(0, 3, (j: Value, d: Value) => d.add(i.mul(j)), c),
    x,
  );
const wf0 = () => lax.convertElementType(0, 'float32', true);

const CONTROL_CASES: Case[] = [
  ctl('cond', condAdd3, () => [f32(5)]),
  ctl('cond_false', condAdd3, () => [f32(-5)]),
  ctl('switch', switch3, () => [i32(1), f32(5)]),
  ctl('switch_clamp', switch3, () => [i32(7), f32(5)]),
  ctl('cond_pytree', condPytree, () => [jnp.array(true), f32([1, 2]), i32([3, 4])]),
  ctl('cond_pytree_false', condPytree, () => [jnp.array(false), f32([1, 2]), i32([3, 4])]),
  ctl(
    'while',
    (x: Value) =>
      lax.whileLoop(
        (c: Value) => c.lt(10),
        (c: Value) => c.mul(2),
        x,
      ),
    () => [f32(1)],
  ),
  ctl('while_newton', newtonSqrt, () => [f32(2)]),
  ctl(
    'while_closure',
    (x: Value, k: Value) =>
      lax.whileLoop(
        (c: [Value, Value]) => c[0].lt(k),
        (c: [Value, Value]) => [c[0].add(1), c[1].add(x)],
        [0, full(x.shape, 0)],
      ),
    () => [f32([1, 2, 3]), i32(4)],
  ),
  ctl(
    'fori_dynamic',
    (a: Value, n: Value) =>
      lax.foriLoop(0, n, (_i: Value, c: Value) => c.add(full(a.shape, 1).mul(3)).add(a), a.add(1)),
    () => [f32([1, 2, 3]), i32(5)],
  ),
  ctl(
    'fori_static_1000',
    (x: Value) =>
      lax.foriLoop(
        0,
        1000,
        (i: Value, c: Value) => c.mul(0.999).add(lax.convertElementType(0.001, 'float32', true).mul(i)),
        x,
      ),
    () => [f32([0, 1])],
    { tol: [1e-5, 1e-5] },
  ),
  ctl('nested_loops', nested, () => [f32(0)]),
  ctl(
    'scan_cumsum',
    (xs: Value) => lax.scan((c: Value, x: Value) => [c.add(x), c], wf0(), xs),
    () => [f32([1, 2, 3, 4])],
  ),
  ctl(
    'scan_reverse',
    (xs: Value) => lax.scan((c: Value, x: Value) => [c.add(x), c.mul(10)], f32(0), xs, { reverse: true }),
    () => [f32([1, 2, 3, 4])],
  ),
  ctl(
    'scan_pytree',
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
  ),
  ctl(
    'map',
    (xs: Value) => lax.map((x: Value) => x.mul(x).add(1), xs),
    () => [
      f32([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    ],
  ),
];

// ---- transforms: fixtures/transforms.json ----------------------------------------------------------

const rosen = (x: Value) => {
  const n = x.shape[0];
  const a = lax.sliceInDim(x, 1, n);
  const b = lax.sliceInDim(x, 0, n - 1);
  return jnp.sum(a.sub(b.pow(2)).pow(2).mul(100).add(jnp.subtract(1, b).pow(2)));
};
const tfm = (name: string, f: F, input: string): Case => {
  const v = TRANSFORMS.values[name];
  const a = jnp.array(v);
  return {
    name: `transforms ${name}`,
    f,
    args: () => [f32(TRANSFORMS.inputs[input])],
    want: [{ dtype: 'float32', shape: a.shape as number[], data: flat(v) as number[] }],
    tol: [2e-5, 2e-4],
  };
};
const TRANSFORM_CASES: Case[] = [
  tfm('rosen_grad', grad(rosen), 'rosen'),
  tfm('rosen_hessian', jacfwd(jacrev(rosen)), 'rosen'),
  tfm(
    'softmax_jacobian',
    jacrev((x: Value) => nn.softmax(x)),
    'softmax',
  ),
];

// ---- dot: fixtures/dot.json -------------------------------------------------------------------------

const DOT_FNS: Record<string, F> = {
  dot: jnp.dot,
  matmul: jnp.matmul,
  outer: jnp.outer,
  vdot: jnp.vdot,
};
const DOT_CASES: Case[] = (DOT.values as any[])
  .filter((c) => DOT_FNS[c.fn] && !/bool|int8/.test(c.name))
  .slice(0, 14)
  .map((c) => ({
    name: `dot ${c.name}`,
    f: DOT_FNS[c.fn],
    args: () => c.args.map((a: any) => arr(a.value)),
    want: [{ ...c.expected, weak: c.weak_type }],
    tol: [1e-5, 1e-5] as [number, number],
  }));

// ---- sorting: fixtures/sorting.json (described by bit patterns) --------------------------------------

/** The elements of a described array (float32 as its value, from its bit pattern). */
function bits(d: { dtype: string; shape: number[]; hex: string }): number[] {
  const bytes = Uint8Array.from(d.hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
  const view = new DataView(bytes.buffer);
  const n = d.shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, i) => {
    switch (d.dtype) {
      case 'bool':
        return bytes[i];
      case 'int32':
        return view.getInt32(4 * i, true);
      case 'uint32':
        return view.getUint32(4 * i, true);
      default:
        return view.getFloat32(4 * i, true);
    }
  });
}
const SORT_FNS: Record<string, (xs: Value[], kw: any) => any> = {
  'jnp.sort': ([x], kw) => jnp.sort(x, kw),
  'jnp.argsort': ([x], kw) => jnp.argsort(x, kw),
  'jnp.argmax': ([x], kw) => jnp.argmax(x, kw),
  'jnp.cumsum': ([x], kw) => jnp.cumsum(x, kw),
  'lax.cummax': ([x], kw) => lax.cummax(x, kw),
  'lax.top_k': ([x], { k, ...kw }) => lax.topK(x, k, kw),
};
const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const SORT_CASES: Case[] = (SORTING.cases as any[])
  .filter(
    (c) =>
      SORT_FNS[c.fn] &&
      c.out &&
      c.args.every((a: any) => ['float32', 'int32', 'uint32', 'bool'].includes(a.dtype)) &&
      c.out.every((o: any) => ['float32', 'int32', 'uint32', 'bool'].includes(o.dtype)) &&
      !c.args.some((a: any) => a.shape.includes(0)),
  )
  .slice(0, 24)
  .map((c) => ({
    name: `sorting ${c.name}`,
    f: (...xs: Value[]) =>
      SORT_FNS[c.fn](xs, Object.fromEntries(Object.entries(c.kw).map(([k, v]) => [camel(k), v]))),
    args: () =>
      c.args.map((a: any) => {
        const b = bits(a.dtype === 'float32' ? { ...a, dtype: 'uint32' } : a);
        return a.dtype === 'float32'
          ? lax.bitcastConvertType(jnp.reshape(jnp.array(b, { dtype: 'uint32' }), a.shape), 'float32')
          : jnp.reshape(jnp.array(a.dtype === 'bool' ? b.map(Boolean) : b, { dtype: a.dtype }), a.shape);
      }),
    want: c.out.map((o: any) => ({
      dtype: o.dtype,
      shape: o.shape,
      data: bits(o),
    })),
  }));

// ---- indexing: fixtures/indexing.json ----------------------------------------------------------------

const idxInput = (name: string): Value => {
  const spec = INDEXING.inputs[name];
  const decode = (v: unknown): unknown => (Array.isArray(v) ? v.map(decode) : v === 'nan' ? Number.NaN : v);
  return jnp.array(decode(spec.value), { dtype: spec.dtype });
};
const idx = (key: string, f: F, extra: Partial<Case> = {}): Case => {
  const v = INDEXING.values[key];
  return {
    name: `indexing ${key}`,
    f,
    args: () => v.args.map(idxInput),
    want: [{ dtype: v.dtype, shape: v.shape, data: flat(v.value) as number[], weak: v.weak_type }],
    ...extra,
  };
};
const INDEX_CASES: Case[] = [
  idx('x[::-2]', (x) => x.index(sl(null, null, -2))),
  idx('x[1, ::2]', (x) => x.index([1, sl(null, null, 2)])),
  idx('x[idx]', (x, i) => x.index(i)),
  idx('x[:, [2, 0]]', (x) => x.index([sl(null), jnp.array([2, 0])])),
  idx('x[mask]', (x) => x.index(jnp.array([true, false, true, false, true])), { noJit: true }),
  idx('at[dup].add', (x, i) => x.at(i).add(1)),
  idx('at[dup].set', (x, i) => x.at(i).set(f32([1, 2, 3, 4]))),
  idx('at[idx].get fill', (x, i) => x.at(i).get({ mode: 'fill' })),
  idx('take', (x, i) => jnp.take(x, i)),
  idx('take_along_axis 1', (x, i) => jnp.take_along_axis(x, i, 1)),
];

// ---- random bits: fixtures/random.json ---------------------------------------------------------------

const KEYS: Record<string, () => any> = {
  k0: () => random.key(0),
  k42: () => random.key(42),
};
const RANDOM_CASES: Case[] = [
  ...(RANDOM.partitionable.bits as any[])
    .filter((b) => KEYS[b.key] && b.dtype === 'uint32' && b.shape.length > 0)
    .slice(0, 4)
    .map((b) => ({
      name: `random bits ${b.key} ${b.dtype}[${b.shape}]`,
      f: (k: Value) => random.bits(k, b.shape, b.dtype),
      args: () => [KEYS[b.key]()],
      want: [{ dtype: b.dtype, shape: b.shape, data: b.out }],
    })),
  {
    name: 'random uniform',
    f: (k: Value) => random.uniform(k, [64]),
    args: () => [random.key(7)],
    want: [{ dtype: 'float32', shape: [64], data: RANDOM.samples.uniform }],
  },
  {
    name: 'random normal',
    f: (k: Value) => random.normal(k, [RANDOM.samples.normal.length]),
    args: () => [random.key(7)],
    want: [{ dtype: 'float32', shape: [RANDOM.samples.normal.length], data: RANDOM.samples.normal }],
    tol: [1e-5, 1e-5],
  },
];

const CASES: Case[] = [
  ...DEVICE_CASES,
  ...CONTROL_CASES,
  ...TRANSFORM_CASES,
  ...DOT_CASES,
  ...SORT_CASES,
  ...INDEX_CASES,
  ...RANDOM_CASES,
];

// ---- the runner --------------------------------------------------------------------------------------

function close(a: number, b: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

async function check(c: Case, device: string, out: unknown): Promise<void> {
  const leaves = tree.leaves(out) as Value[];
  expect(leaves.length).toBe(c.want.length);
  for (let j = 0; j < leaves.length; j++) {
    const got = leaves[j] as any;
    const w = c.want[j];
    expect(String(got.device)).toBe(`${device}:0`);
    expect([got.dtype.name, got.shape]).toEqual([w.dtype, w.shape]);
    if (w.weak !== undefined) expect(got.weakType).toBe(w.weak);
    const data = Array.from(await got.data(), Number);
    const want = w.data.map(num);
    if (!w.dtype.startsWith('float')) {
      expect(data).toEqual(want);
      continue;
    }
    const [rtol, atol] = c.tol ?? [2e-6, 1e-6];
    const bad = want.findIndex((v, k) => !close(data[k], v, rtol, atol));
    if (bad >= 0) expect([bad, data[bad]]).toEqual([bad, want[bad]]);
  }
}

for (const device of ['cpu', 'webgpu']) {
  const available = device === 'cpu' || gpuStatus.available;
  describe.skipIf(!available)(`engine on ${device}`, () => {
    let saved: string;
    beforeAll(() => {
      saved = config.defaultDevice;
      config.defaultDevice = device;
    });
    afterAll(() => {
      config.defaultDevice = saved;
    });
    for (const c of CASES) {
      it(c.name, async () => {
        const args = () => c.args().map((a) => devicePut(a, device));
        await check(c, device, c.f(...args()));
        if (!c.noJit) await check(c, device, jit(c.f)(...args()));
      });
    }
  });
}
