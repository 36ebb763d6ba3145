/**
 * @file NumPy's index objects and their parsing, after jax/_src/numpy/indexing.py: Python's
 * slice (`sl(start, stop, step)`), newaxis (`null`), Ellipsis (`'...'`), IndexError and
 * NonConcreteBooleanIndexError; an index (a JS array playing Python's tuple) classified entry by
 * entry and assigned the axes it consumes, ellipses expanded, slices resolved as
 * slice.indices(size). indexing.ts (getitem, at[]) and index-gather.ts read the parsed form.
 */
import { ArrayImpl, hostScalar } from '../core/array.js';
import { hostArray } from '../core/coerce.js';
import { int32 } from '../core/dtype.js';
import { isTracer, type Value } from '../core/trace.js';

// ---- index objects and errors ---------------------------------------------------------------------

/** Python's IndexError. */
export class IndexError extends Error {
  override name = 'IndexError';
}

/** jax.errors.NonConcreteBooleanIndexError: a boolean mask whose value is not known while tracing. */
export class NonConcreteBooleanIndexError extends IndexError {
  override name = 'NonConcreteBooleanIndexError';
  constructor(aval: string) {
    super(
      `Array boolean indices must be concrete; got ${aval}\n\nSee https://docs.jax.dev/en/latest/errors.html#jax.errors.NonConcreteBooleanIndexError`,
    );
  }
}

type SliceEntry = number | Value | null | undefined;

/** Python's slice object: `sl(1, 3)` is `1:3`, `sl(null, null, -1)` is `::-1`. */
export class Slice {
  readonly start: SliceEntry;
  readonly stop: SliceEntry;
  readonly step: SliceEntry;
  constructor(start?: SliceEntry, stop?: SliceEntry, step?: SliceEntry) {
    this.start = start ?? null;
    this.stop = stop ?? null;
    this.step = step ?? null;
  }
  toString(): string {
    const e = (v: SliceEntry) =>
      v === null || v === undefined ? 'None' : isTracer(v) ? 'Traced' : String(v);
    return `slice(${e(this.start)}, ${e(this.stop)}, ${e(this.step)})`;
  }
}

/** slice(stop) or slice(start, stop[, step]), as Python's builtin. */
export function sl(startOrStop?: SliceEntry, stop?: SliceEntry, step?: SliceEntry): Slice {
  // biome-ignore lint/complexity/noArguments: Python's slice(stop) form depends on the arity.
  if (arguments.length === 1) return new Slice(null, startOrStop, null);
  return new Slice(startOrStop, stop, step);
}

/** NumPy's newaxis (None). */
export const newaxis = null;
/** Python's Ellipsis (`...`); the string '...' is accepted too. */
export const Ellipsis = '...';

export type NumpyIndex = unknown;

// ---- parsing ------------------------------------------------------------------------------------

export type IdxType = 'none' | 'ellipsis' | 'slice' | 'integer' | 'boolean' | 'array';

export interface Parsed {
  /** number for integer, Slice for slice, Value for array/boolean, boolean for a scalar bool. */
  index: unknown;
  typ: IdxType;
  axes: number[];
}

export function isValue(x: unknown): x is Value {
  return x instanceof ArrayImpl || isTracer(x);
}

/** A static Python int from a slice entry (concrete arrays allowed). */
export function staticInt(v: SliceEntry): number | null | 'traced' {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (v instanceof ArrayImpl && v.size === 1) return Number(hostScalar(v));
  return 'traced';
}

function classify(idx: unknown): { typ: IdxType; index: unknown } {
  if (idx === null || idx === undefined) return { typ: 'none', index: null };
  if (idx === Ellipsis) return { typ: 'ellipsis', index: idx };
  if (idx instanceof Slice) return { typ: 'slice', index: idx };
  if (typeof idx === 'bigint') return { typ: 'integer', index: Number(idx) };
  if (typeof idx === 'number') {
    if (!Number.isInteger(idx))
      throw new TypeError('Indexer must have integer or boolean type, got indexer with type float64');
    return { typ: 'integer', index: idx };
  }
  if (typeof idx === 'boolean') return { typ: 'boolean', index: idx };
  if (typeof idx === 'string') throw new TypeError(`JAX does not support string indexing; got idx='${idx}'`);
  let v: Value | null = null;
  if (isValue(idx)) v = idx;
  else if (Array.isArray(idx)) v = idx.length === 0 ? hostArray([], { dtype: int32 }) : hostArray(idx);
  else if (ArrayBuffer.isView(idx)) v = hostArray(idx);
  if (v) {
    if (v.dtype.isBool)
      return { typ: 'boolean', index: v.ndim === 0 && v instanceof ArrayImpl ? Boolean(hostScalar(v)) : v };
    if (v.dtype.isInt) return { typ: 'array', index: v };
    throw new TypeError(`Indexer must have integer or boolean type, got indexer with type ${v.dtype.name}`);
  }
  throw new IndexError(
    `only integers, slices (\`:\`), ellipsis (\`...\`), newaxis (\`None\`) and integer or boolean arrays are valid indices. Got ${String(idx)}`,
  );
}

/** The index as a tuple: a JS array is Python's tuple; anything else is a 1-tuple. */
function asTuple(idx: NumpyIndex): unknown[] {
  return Array.isArray(idx) ? idx : [idx];
}

export function ndimOf(p: { typ: IdxType; index: unknown }): number {
  return isValue(p.index) ? p.index.ndim : 0;
}

export function parseIndices(idx: NumpyIndex, shape: readonly number[]): Parsed[] {
  const items = asTuple(idx).map(classify);
  const consumed = items.map((it) => {
    switch (it.typ) {
      case 'none':
      case 'ellipsis':
        return 0;
      case 'boolean':
        return ndimOf(it);
      default:
        return 1;
    }
  });
  const ellipses = items.flatMap((it, i) => (it.typ === 'ellipsis' ? [i] : []));
  if (ellipses.length > 1) throw new IndexError("an index can only have a single ellipsis ('...')");
  const total = consumed.reduce((a, b) => a + b, 0);
  if (total > shape.length)
    throw new IndexError(`Too many indices: array is ${shape.length}-dimensional, but ${total} were indexed`);
  if (ellipses.length) consumed[ellipses[0]] = shape.length - total;
  let dim = 0;
  return items.map((it, i) => {
    const axes = Array.from({ length: consumed[i] }, (_, k) => dim + k);
    dim += consumed[i];
    return { ...it, axes };
  });
}

export function expandEllipses(indices: Parsed[], shape: readonly number[]): Parsed[] {
  const out: Parsed[] = [];
  let consumed = 0;
  for (const p of indices) {
    consumed += p.axes.length;
    if (p.typ === 'ellipsis')
      for (const a of p.axes) out.push({ typ: 'slice', index: new Slice(), axes: [a] });
    else out.push(p);
  }
  for (let a = consumed; a < shape.length; a++) out.push({ typ: 'slice', index: new Slice(), axes: [a] });
  return out;
}

/** Python's slice.indices(size) for static entries. */
export function sliceIndices(s: Slice, size: number): [number, number, number] {
  const st = staticInt(s.step);
  const step = st === null ? 1 : (st as number);
  if (step === 0) throw new Error('slice step cannot be zero');
  const lo = step < 0 ? -1 : 0;
  const hi = step < 0 ? size - 1 : size;
  const fix = (v: number | null | 'traced', dflt: number) => {
    if (v === null) return dflt;
    const n = v as number;
    return n < 0 ? Math.max(n + size, lo) : Math.min(n, hi);
  };
  return [fix(staticInt(s.start), step < 0 ? hi : lo), fix(staticInt(s.stop), step < 0 ? lo : hi), step];
}

export function sliceIsStatic(s: Slice): boolean {
  return [s.start, s.stop, s.step].every((v) => staticInt(v) !== 'traced');
}

export function validateSlices(indices: Parsed[]): void {
  indices.forEach((p, i) => {
    if (p.typ === 'slice' && !sliceIsStatic(p.index as Slice)) {
      throw new IndexError(`Slice entries must be static integers. Got ${String(p.index)} at position ${i}`);
    }
  });
}
