/**
 * @file jnp.pad as JAX's jitted `_pad` (jax/_src/numpy/lax_numpy.py): constant padding is one
 * lax.pad with the widths as NumPy ints, edge padding repeats the edge slices (`_pad_edge`), and
 * reflect, symmetric and wrap build each block as a (reversed or broadcast) slice of the input, so
 * every block reads the input directly and the whole pad fuses with its consumers.
 */
import { NotImplementedError, ValueError } from '../core/errors.js';
import { shapeTuple } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import { NpInt } from '../ir/pyrepr.js';
import { convertElementType } from '../lax/convert.js';
import * as S from '../lax/structural.js';
import { namedJit } from '../transforms/jit.js';
import { repeat } from './shapes.js';
import { asValue, broadcastTo as bcastTo } from './util.js';

type In = unknown;

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export type PadMode = 'constant' | 'edge' | 'reflect' | 'symmetric' | 'wrap';
export type PadWidth = number | readonly number[] | readonly (readonly number[])[];

/** NumPy's pad_width broadcasting: n, (n,), (before, after), or one pair per axis. */
function padPairs(pw: PadWidth, nd: number): [number, number][] {
  const check = (x: number) => {
    if (!Number.isInteger(x)) throw new TypeError('`pad_width` must be of integral type.');
    if (x < 0) throw new RangeError("index can't contain negative values");
    return x;
  };
  if (typeof pw === 'number') return range(nd).map(() => [check(pw), check(pw)]);
  if (pw.length > 0 && typeof pw[0] === 'number') {
    const flat = (pw as readonly number[]).map(check);
    if (flat.length === 1) return range(nd).map(() => [flat[0], flat[0]]);
    if (flat.length === 2) return range(nd).map(() => [flat[0], flat[1]]);
    throw new RangeError(`Expected pad_width to have shape (${nd}, 2); got (${flat.length},).`);
  }
  const pairs = (pw as readonly (readonly number[])[]).map(
    (p) => (p.length === 1 ? [check(p[0]), check(p[0])] : [check(p[0]), check(p[1])]) as [number, number],
  );
  if (pairs.length === 1) return range(nd).map(() => pairs[0]);
  if (pairs.length !== nd)
    throw new RangeError(`Expected pad_width to have shape (${nd}, 2); got (${pairs.length}, 2).`);
  return pairs;
}

/** Source index of output position j (before-padding `lo`) along an axis of size n. */
function padSource(mode: PadMode, j: number, lo: number, n: number): number {
  const t = j - lo;
  const mod = (x: number, m: number) => ((x % m) + m) % m;
  switch (mode) {
    case 'edge':
      return Math.min(Math.max(t, 0), n - 1);
    case 'wrap':
      return mod(t, n);
    case 'reflect': {
      if (n === 1) return 0;
      const u = mod(t, 2 * n - 2);
      return u < n ? u : 2 * n - 2 - u;
    }
    default: {
      const u = mod(t, 2 * n);
      return u < n ? u : 2 * n - 1 - u;
    }
  }
}

interface Run {
  /** 'up': src[lo..hi] ascending; 'down': descending; 'same': src[lo] repeated len times. */
  kind: 'up' | 'down' | 'same';
  lo: number;
  hi: number;
  len: number;
}

/** Runs of consecutive source indices for padding an axis of size n by (lo, hi). */
function padRuns(mode: PadMode, n: number, before: number, after: number, ax: number): Run[] {
  if (n === 0 && before + after > 0) {
    throw new RangeError(`can't extend empty axis ${ax} using modes other than 'constant' or 'empty'`);
  }
  const src = range(n + before + after).map((j) => padSource(mode, j, before, n));
  const runs: Run[] = [];
  let k = 0;
  while (k < src.length) {
    let e = k + 1;
    const step = e < src.length ? src[e] - src[k] : 0;
    if (step === 1 || step === -1 || step === 0) while (e < src.length && src[e] - src[e - 1] === step) e++;
    const a0 = src[k];
    const a1 = src[e - 1];
    if (step === 0 || e - k === 1) runs.push({ kind: 'same', lo: a0, hi: a0, len: e - k });
    else if (step === 1) runs.push({ kind: 'up', lo: a0, hi: a1, len: e - k });
    else runs.push({ kind: 'down', lo: a1, hi: a0, len: e - k });
    k = e;
  }
  return runs;
}

function applyRun(v: Value, ax: number, r: Run): Value {
  const sl = S.sliceInDim(v, r.lo, r.hi + 1, 1, ax);
  if (r.kind === 'up') return sl;
  if (r.kind === 'down') return S.rev(sl, [ax]);
  if (r.len === 1) return sl;
  const shape = [...v.shape];
  shape[ax] = r.len;
  return bcastTo(sl, shape);
}

/**
 * Non-constant padding as a grid of blocks, each a (reversed or broadcast) slice of the input, so
 * every block reads the input directly and the whole pad fuses with its consumers.
 */
function padByRuns(v: Value, runs: (Run[] | null)[], ax = 0): Value {
  if (ax === v.ndim) return v;
  const rs = runs[ax];
  if (rs === null) return padByRuns(v, runs, ax + 1);
  const parts = rs.map((r) => padByRuns(applyRun(v, ax, r), runs, ax + 1));
  return parts.length === 1 ? parts[0] : S.concatenate(parts, ax);
}

/** The keyword arguments each mode takes (jnp.pad's **kwargs), and JAX's errors for the others. */
const PAD_KWARGS: Record<string, string[]> = {
  constant: ['constant_values'],
  edge: [],
  wrap: [],
  empty: [],
  linear_ramp: ['end_values'],
  maximum: ['stat_length'],
  mean: ['stat_length'],
  median: ['stat_length'],
  minimum: ['stat_length'],
  reflect: ['reflect_type'],
  symmetric: ['reflect_type'],
};

function checkPadKwargs(mode: string, opts: Record<string, unknown>): void {
  const allowed = PAD_KWARGS[mode];
  if (!allowed) throw new RangeError(`Unimplemented padding mode '${mode}' for np.pad.`);
  const given = Object.keys(opts)
    .filter((k) => k !== 'mode' && opts[k] !== undefined)
    .map((k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
  const bad = given.filter((k) => !allowed.includes(k));
  if (bad.length)
    throw new ValueError(
      `unsupported keyword arguments for mode '${mode}': {${bad.map((k) => `'${k}'`).join(', ')}}`,
    );
  if (opts.reflectType !== undefined && opts.reflectType !== 'even')
    throw new NotImplementedError(
      `jnp.pad: reflect_type=${String(opts.reflectType)} is not supported by tjax`,
    );
}

/** jnp.pad: constant (lax.pad), edge, reflect, symmetric and wrap modes, in JAX's jitted `_pad`. */
export function pad(
  a: In,
  padWidth: PadWidth,
  opts: { mode?: PadMode; constantValues?: number | boolean | Value; reflectType?: 'even' | 'odd' } = {},
): Value {
  const v = asValue(a);
  const pairs = padPairs(padWidth, v.ndim);
  const mode = opts.mode ?? 'constant';
  checkPadKwargs(mode, opts);
  if (!['constant', 'edge', 'reflect', 'symmetric', 'wrap'].includes(mode)) {
    throw new RangeError(`Unimplemented padding mode '${mode}' for np.pad.`);
  }
  return padJit(v, pairs, mode, asValue(opts.constantValues ?? 0));
}

const padJit = namedJit(
  '_pad',
  function _pad(v: Value, pairs: [number, number][], mode: PadMode, constantValues: Value): Value {
    if (v.ndim === 0) return v;
    if (mode === 'constant') {
      const cv = convertElementType(constantValues, v.dtype, v.weakType);
      if (cv.ndim !== 0)
        throw new RangeError(`jnp.pad: constant_values has unsupported shape ${shapeTuple(cv.shape)}.`);
      // The widths come from np.asarray(pad_width) in JAX: they print as np.int64.
      const np = (k: number) => new NpInt(k) as unknown as number;
      return S.pad(
        v,
        cv,
        pairs.map(([l, h]) => [np(l), np(h), 0] as [number, number, number]),
      );
    }
    if (mode === 'edge') return padEdge(v, pairs);
    const runs = pairs.map(([l, h], ax) =>
      l === 0 && h === 0 ? null : padRuns(mode, v.shape[ax], l, h, ax),
    );
    return padByRuns(v, runs);
  },
  { staticArgnums: [1, 2] },
);

/** JAX's _pad_edge: per axis, the edge slices repeated and concatenated around the array. */
function padEdge(array: Value, pairs: [number, number][]): Value {
  let a = array;
  for (let i = 0; i < a.ndim; i++) {
    const n = a.shape[i];
    if (n === 0) {
      if (pairs[i][0] > 0 || pairs[i][1] > 0)
        throw new RangeError("Cannot apply 'edge' padding to empty axis");
      continue;
    }
    const before = repeat(S.sliceInDim(a, 0, 1, 1, i), pairs[i][0], { axis: i });
    const after = repeat(S.sliceInDim(a, n - 1, n, 1, i), pairs[i][1], { axis: i });
    a = S.concatenate([before, a, after], i);
  }
  return a;
}
