/**
 * @file Questions about dtypes, as jax.numpy answers them: promote_types (JAX's lattice, strong
 * types), can_cast (NumPy's casting rules: 'no', 'equiv', 'safe', 'same_kind', 'unsafe'), isdtype
 * (the array API's kinds), issubdtype against NumPy's abstract scalar types, which are exported
 * here too (generic, number, integer, signedinteger, unsignedinteger, inexact, floating,
 * complexfloating), with the concrete aliases double, single, int_, uint, csingle, cdouble, complex_; and the constants e, pi, inf, nan, euler_gamma.
 */

import { config } from '../core/config.js';
import {
  complex64,
  complex128,
  type DType,
  type DTypeLike,
  float32,
  float64,
  int32,
  int64,
  promoteNodes,
  toDType,
  uint64,
} from '../core/dtype.js';
import { ValueError } from './errors.js';

/** One of NumPy's abstract scalar types: a name and the concrete dtypes under it. */
export class AbstractDType {
  constructor(
    readonly name: string,
    private readonly test: (d: DType) => boolean,
  ) {}
  includes(d: DType): boolean {
    return this.test(d);
  }
  toString(): string {
    return `<class 'numpy.${this.name}'>`;
  }
}

export const generic = new AbstractDType('generic', () => true);
export const number = new AbstractDType('number', (d) => !d.isBool);
export const integer = new AbstractDType('integer', (d) => d.isInt);
export const signedinteger = new AbstractDType('signedinteger', (d) => d.kind === 'i');
export const unsignedinteger = new AbstractDType('unsignedinteger', (d) => d.kind === 'u');
export const inexact = new AbstractDType('inexact', (d) => d.isInexact);
export const floating = new AbstractDType('floating', (d) => d.isFloat);
export const complexfloating = new AbstractDType('complexfloating', (d) => d.isComplex);

/** NumPy's aliases: double and single are the 64- and 32-bit floats, int_ and uint the 64-bit ints. */
export const double = float64;
export const single = float32;
export const int_ = int64;
export const uint = uint64;
/** The complex aliases: csingle is complex64, cdouble and complex_ complex128. */
export const csingle = complex64;
export const cdouble = complex128;
export const complex_ = complex128;

export const e = Math.E;
export const pi = Math.PI;
export const inf = Number.POSITIVE_INFINITY;
export const nan = Number.NaN;
export const euler_gamma = 0.5772156649015329;
export const eulerGamma = euler_gamma;

type DTypeArg = DTypeLike | AbstractDType | { dtype: DType };

function dtypeOf(x: DTypeArg): DType {
  if (x instanceof AbstractDType) throw new TypeError(`Cannot interpret '${x}' as a data type`);
  if (typeof x === 'object' && x !== null && 'dtype' in x && !('kind' in x))
    return (x as { dtype: DType }).dtype;
  return toDType(x as DTypeLike);
}

/** jnp.issubdtype(arg1, arg2): whether arg1's dtype is arg2, or under the abstract type arg2. */
export function issubdtype(arg1: DTypeArg, arg2: DTypeArg): boolean {
  if (arg1 instanceof AbstractDType) {
    if (arg2 instanceof AbstractDType) return ABSTRACT_PARENTS[arg1.name]?.includes(arg2.name) ?? false;
    return false;
  }
  const d = dtypeOf(arg1);
  if (arg2 instanceof AbstractDType) return arg2.includes(d);
  return d === dtypeOf(arg2);
}

/** The abstract types above each abstract type (NumPy's class hierarchy), itself included. */
const ABSTRACT_PARENTS: Record<string, string[]> = {
  generic: ['generic'],
  number: ['number', 'generic'],
  integer: ['integer', 'number', 'generic'],
  signedinteger: ['signedinteger', 'integer', 'number', 'generic'],
  unsignedinteger: ['unsignedinteger', 'integer', 'number', 'generic'],
  inexact: ['inexact', 'number', 'generic'],
  floating: ['floating', 'inexact', 'number', 'generic'],
  complexfloating: ['complexfloating', 'inexact', 'number', 'generic'],
};

const KINDS: Record<string, (d: DType) => boolean> = {
  bool: (d) => d.isBool,
  'signed integer': (d) => d.kind === 'i',
  'unsigned integer': (d) => d.kind === 'u',
  integral: (d) => d.isInt,
  'real floating': (d) => d.isFloat,
  'complex floating': (d) => d.isComplex,
  numeric: (d) => !d.isBool,
};

/** jnp.isdtype(dtype, kind): the array API's kind test; kind is a kind name, a dtype, or a list of them. */
export function isdtype(
  dtype: DTypeLike,
  kind: string | DTypeLike | readonly (string | DTypeLike)[],
): boolean {
  const d = toDType(dtype);
  const kinds = Array.isArray(kind) ? kind : [kind];
  return kinds.some((k) => {
    if (typeof k === 'string' && k in KINDS) return KINDS[k](d);
    try {
      return toDType(k as DTypeLike) === d;
    } catch {
      if (typeof k === 'string') {
        throw new ValueError(
          `Unrecognized kind='${k}' expected one of [${Object.keys(KINDS)
            .map((x) => `'${x}'`)
            .join(', ')}], or a compatible input for jnp.dtype()`,
        );
      }
      throw new TypeError(`Expected kind to be a dtype, string, or tuple; got kind=${String(k)}`);
    }
  });
}

/** jnp.promote_types(a, b): the dtype both promote to (JAX's lattice; never weak). */
export function promote_types(a: DTypeLike, b: DTypeLike): DType {
  // On the lattice's nodes, not canonicalized: float32 and float64 give float64, as in JAX. Without
  // x64, JAX's x32 lattice joins signed and unsigned 32-bit (or narrower) ints at int32, not int64.
  const [da, db] = [toDType(a), toDType(b)];
  const r = promoteNodes(da.name, db.name);
  if (r === 'int64' && !config.enableX64 && da.itemsize <= 4 && db.itemsize <= 4) return int32;
  return toDType(r);
}

/** Mantissa bits of the floats, to tell which integers they hold exactly (NumPy's safe casts). */
const MANT: Record<number, number> = { 2: 11, 4: 24, 8: 53 };

function safeCast(from: DType, to: DType): boolean {
  if (from === to || from.isBool) return true;
  if (to.isBool) return false;
  // A complex number's parts are floats of half its size.
  if (from.isComplex) return to.isComplex && to.itemsize >= from.itemsize;
  if (from.isFloat)
    return (to.isFloat && to.itemsize >= from.itemsize) || (to.isComplex && to.itemsize >= 2 * from.itemsize);
  const bits = from.itemsize * 8;
  if (to.isComplex) return (from.kind === 'u' ? bits : bits - 1) < MANT[to.itemsize / 2];
  if (to.isFloat) return (from.kind === 'u' ? bits : bits - 1) < MANT[to.itemsize];
  if (from.kind === to.kind) return to.itemsize >= from.itemsize;
  if (from.kind === 'u') return to.itemsize > from.itemsize;
  return false;
}

const KIND_ORDER: Record<string, number> = { b: 0, u: 1, i: 2, f: 3, c: 4 };

/** jnp.can_cast(from, to, {casting}): NumPy's np.can_cast on dtypes. */
export function can_cast(from: DTypeArg, to: DTypeLike, opts: { casting?: string } = {}): boolean {
  const f = dtypeOf(from);
  const t = toDType(to);
  const casting = opts.casting ?? 'safe';
  switch (casting) {
    case 'no':
    case 'equiv':
      return f === t;
    case 'safe':
      return safeCast(f, t);
    case 'same_kind':
      // Safe, or a cast within the kind or to a later kind (bool, unsigned, signed, float).
      return safeCast(f, t) || KIND_ORDER[t.kind] >= KIND_ORDER[f.kind];
    case 'unsafe':
      return true;
    default:
      throw new ValueError("casting must be one of 'no', 'equiv', 'safe', 'same_kind', or 'unsafe'");
  }
}
export const canCast = can_cast;
