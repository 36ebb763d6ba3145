/**
 * @file Dtypes and JAX's type promotion lattice with weak types.
 *
 * The lattice and the join rule follow jax/_src/dtypes.py and the "Type promotion semantics"
 * document: promotion of two types is the least upper bound in a small lattice in which Python
 * scalars are the weak nodes `i*`, `f*` and `c*` (Python complex). Without x64, 64-bit results are canonicalized to
 * their 32-bit counterparts afterwards (so uint32 + int32 -> int64 -> int32).
 */
import { config } from './config.js';

export type DTypeName =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'float16'
  | 'float32'
  | 'float64'
  | 'complex64'
  | 'complex128';

export type DTypeKind = 'b' | 'i' | 'u' | 'f' | 'c';

export class DType {
  constructor(
    readonly name: DTypeName,
    readonly kind: DTypeKind,
    readonly itemsize: number,
    /** The abbreviation jaxprs print (f32, i32, bool). */
    readonly short: string,
  ) {}
  get isFloat(): boolean {
    return this.kind === 'f';
  }
  get isInt(): boolean {
    return this.kind === 'i' || this.kind === 'u';
  }
  get isBool(): boolean {
    return this.kind === 'b';
  }
  get isComplex(): boolean {
    return this.kind === 'c';
  }
  /** Float or complex: NumPy's `inexact`, the dtypes with a tangent space. */
  get isInexact(): boolean {
    return this.kind === 'f' || this.kind === 'c';
  }
  /** Host/device storage elements per array element: 2 for complex (re, im interleaved). */
  get lanes(): number {
    return this.kind === 'c' ? 2 : 1;
  }
  /** An extended dtype: a PRNG key (KeyDType below). */
  get isKey(): boolean {
    return false;
  }
  /** True for dtypes whose host storage is a BigInt typed array. */
  get isBig(): boolean {
    return this.name === 'int64' || this.name === 'uint64';
  }
  toString(): string {
    return this.name;
  }
  toJSON(): string {
    return this.name;
  }
}

const declared: DType[] = [];
/** A dtype, listed in ALL_DTYPES in the order of declaration. */
function defineDType(...args: ConstructorParameters<typeof DType>): DType {
  const d = new DType(...args);
  declared.push(d);
  return d;
}

export const bool = defineDType('bool', 'b', 1, 'bool');
export const int8 = defineDType('int8', 'i', 1, 'i8');
export const int16 = defineDType('int16', 'i', 2, 'i16');
export const int32 = defineDType('int32', 'i', 4, 'i32');
export const int64 = defineDType('int64', 'i', 8, 'i64');
export const uint8 = defineDType('uint8', 'u', 1, 'u8');
export const uint16 = defineDType('uint16', 'u', 2, 'u16');
export const uint32 = defineDType('uint32', 'u', 4, 'u32');
export const uint64 = defineDType('uint64', 'u', 8, 'u64');
export const float16 = defineDType('float16', 'f', 2, 'f16');
export const float32 = defineDType('float32', 'f', 4, 'f32');
export const float64 = defineDType('float64', 'f', 8, 'f64');
export const complex64 = defineDType('complex64', 'c', 8, 'c64');
export const complex128 = defineDType('complex128', 'c', 16, 'c128');

/**
 * JAX's extended dtype of typed PRNG keys, `key<fry>` for threefry2x32 (jax/_src/prng.py's
 * KeyTy): an element is one key, stored as its two uint32 words, so a key array of shape S has a
 * uint32[...S, 2] buffer. It has no number kind (not float, int, bool or complex) and no place in
 * the promotion lattice; only the PRNG primitives (random/prng.ts) and structural ones take it.
 */
export class KeyDType extends DType {
  constructor(readonly impl: string) {
    super(`key<${impl}>` as DTypeName, 'V' as DTypeKind, 8, `key<${impl}>`);
  }
  override get isKey(): boolean {
    return true;
  }
  /** Two uint32 words per key. */
  override get lanes(): number {
    return 2;
  }
}

export const keyFry = new KeyDType('fry');

/** The value range of each integer dtype of at most 32 bits (what kernels wrap to). */
export const INT_RANGE: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

export const ALL_DTYPES: readonly DType[] = declared;

const BY_NAME = new Map<string, DType>(ALL_DTYPES.map((d) => [d.name, d]));
// NumPy's short spellings are accepted too.
for (const [alias, d] of [
  ['f2', float16],
  ['f4', float32],
  ['f8', float64],
  ['i1', int8],
  ['i2', int16],
  ['i4', int32],
  ['i8', int64],
  ['u1', uint8],
  ['u2', uint16],
  ['u4', uint32],
  ['u8', uint64],
  ['b1', bool],
  ['f16', float16],
  ['f32', float32],
  ['f64', float64],
  ['i32', int32],
  ['i64', int64],
  ['u32', uint32],
  ['half', float16],
  ['single', float32],
  ['double', float64],
  ['float', float64],
  ['int', int64],
  ['bool_', bool],
  ['c8', complex64],
  ['c16', complex128],
  ['c64', complex64],
  ['c128', complex128],
  ['csingle', complex64],
  ['cdouble', complex128],
  ['complex', complex128],
  ['complex_', complex128],
] as const) {
  BY_NAME.set(alias, d);
}

export type DTypeLike = DType | DTypeName | string;

/** Look a dtype up by object or name, without canonicalizing it. */
export function toDType(d: DTypeLike): DType {
  if (d instanceof DType) return d;
  const found = BY_NAME.get(String(d));
  if (!found)
    throw new TypeError(
      typeof d === 'string'
        ? `data type '${d}' not understood`
        : `Cannot interpret '${String(d)}' as a data type.`,
    );
  return found;
}

const TO_32: Partial<Record<DTypeName, DType>> = {
  int64: int32,
  uint64: uint32,
  float64: float32,
  complex128: complex64,
};

/** The dtype JAX actually uses for `d` under the current x64 setting. */
export function canonicalize(d: DType): DType {
  if (config.enableX64) return d;
  return TO_32[d.name] ?? d;
}

const warned = new Set<string>();

/**
 * Resolve a user-requested dtype, warning as JAX does when a 64-bit type is requested with x64 off.
 * `where` names the API ('array', 'zeros', ...), as in JAX's message.
 */
export function requestDType(d: DTypeLike, where = 'array'): DType {
  const dt = toDType(d);
  const c = canonicalize(dt);
  if (c !== dt) {
    const key = `${dt.name}:${where}`;
    if (!warned.has(key)) {
      warned.add(key);
      process.emitWarning(
        `Explicitly requested dtype ${dt.name} requested in ${where} is not available, and will be ` +
          `truncated to dtype ${c.name}. To enable more dtypes, set the jax_enable_x64 configuration ` +
          'option or the JAX_ENABLE_X64 shell environment variable. See ' +
          'https://github.com/jax-ml/jax#current-gotchas for more.',
        'UserWarning',
      );
    }
  }
  return c;
}

/** Default dtypes, as jnp.float_, jnp.int_ (canonical under the current x64 mode). */
export function defaultFloat(): DType {
  return config.enableX64 ? float64 : float32;
}
export function defaultInt(): DType {
  return config.enableX64 ? int64 : int32;
}
export function defaultUint(): DType {
  return config.enableX64 ? uint64 : uint32;
}
export function defaultComplex(): DType {
  return config.enableX64 ? complex128 : complex64;
}

/** The real dtype of a complex dtype's parts (complex64 -> float32); real dtypes map to themselves. */
export function realPart(d: DType): DType {
  if (d === complex64) return float32;
  if (d === complex128) return float64;
  return d;
}

/** The complex dtype whose parts are the float dtype `d` (float64 -> complex128, others -> complex64). */
export function complexOf(d: DType): DType {
  if (d.isComplex) return d;
  return d === float64 ? complex128 : complex64;
}

// ---- the lattice --------------------------------------------------------------------------------

type Node = DTypeName | 'i*' | 'f*' | 'c*';

const EDGES: Record<Node, Node[]> = {
  bool: ['i*'],
  'i*': ['uint8', 'int8'],
  uint8: ['uint16', 'int16'],
  uint16: ['uint32', 'int32'],
  uint32: ['uint64', 'int64'],
  uint64: ['f*'],
  int8: ['int16'],
  int16: ['int32'],
  int32: ['int64'],
  int64: ['f*'],
  'f*': ['float16', 'c*'],
  'c*': ['complex64'],
  float16: ['float32'],
  float32: ['float64', 'complex64'],
  float64: ['complex128'],
  complex64: ['complex128'],
  complex128: [],
};

/** For each node, the set of nodes >= it (itself included). */
const UPPER: Map<Node, Set<Node>> = (() => {
  const m = new Map<Node, Set<Node>>();
  const visit = (n: Node): Set<Node> => {
    const cached = m.get(n);
    if (cached) return cached;
    const s = new Set<Node>([n]);
    for (const e of EDGES[n]) for (const u of visit(e)) s.add(u);
    m.set(n, s);
    return s;
  };
  for (const n of Object.keys(EDGES) as Node[]) visit(n);
  return m;
})();

function nodeOf(dtype: DType, weak: boolean): Node {
  if (weak) {
    if (dtype.kind === 'i' || dtype.kind === 'u') return 'i*';
    if (dtype.kind === 'f') return 'f*';
    if (dtype.kind === 'c') return 'c*';
  }
  return dtype.name;
}

function join(nodes: Node[]): Node {
  const key = nodes.find((n) => !UPPER.has(n));
  // A key dtype has no place in the lattice; JAX's dtype lookup rejects it so.
  if (key) throw new TypeError(`Cannot interpret '${key}' as a data type`);
  let common: Set<Node> | undefined;
  for (const n of nodes) {
    const up = UPPER.get(n)!;
    common = common ? new Set([...common].filter((x) => up.has(x))) : new Set(up);
  }
  // The least upper bound is the element of `common` that is below every other element of it.
  for (const c of common!) {
    const up = UPPER.get(c)!;
    if ([...common!].every((o) => up.has(o))) return c;
  }
  throw new TypeError(`no common type for ${nodes.join(', ')}`);
}

/** One (dtype, weakType) pair taking part in promotion. */
export interface TypedValue {
  dtype: DType;
  weakType: boolean;
}

/** JAX's result_type: promote dtypes with weak types, then canonicalize. */
export function promoteTypes(...xs: TypedValue[]): TypedValue {
  if (xs.length === 0) throw new TypeError('at least one array or dtype is required');
  // Key arrays of one key dtype go together (jnp.where over keys); nothing else joins them.
  if (xs[0].dtype.isKey && xs.every((x) => x.dtype === xs[0].dtype))
    return { dtype: xs[0].dtype, weakType: false };
  const n = join(xs.map((x) => nodeOf(x.dtype, x.weakType)));
  if (n === 'i*') return { dtype: defaultInt(), weakType: true };
  if (n === 'f*') return { dtype: defaultFloat(), weakType: true };
  if (n === 'c*') return { dtype: defaultComplex(), weakType: true };
  return { dtype: canonicalize(toDType(n)), weakType: false };
}

/**
 * Promotion written on lattice node names, as JAX's table is (`i*`, `f*` for weak types).
 * Used by tests to check every pair of the documented table; returns the un-canonicalized node.
 */
export function promoteNodes(a: string, b: string): string {
  return join([a as Node, b as Node]);
}

/** The JS typed array that stores a dtype on the host. */
export type TypedArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** A typed array's constructor, by length or over a buffer. */
export type TypedArrayCtor = {
  new (n: number): TypedArray;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
};

/** The typed array that stores each dtype's numbers on the host (float16 as raw bits). */
export const TYPED_ARRAY_CTORS: Readonly<Record<DTypeName, TypedArrayCtor>> = {
  bool: Uint8Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float16: Uint16Array,
  float32: Float32Array,
  float64: Float64Array,
  complex64: Float32Array,
  complex128: Float64Array,
};

/**
 * The typed array that stores `n` elements of `dt` on the host. Complex values are stored as
 * NumPy lays them out, real and imaginary parts interleaved, so a complex64 array of n elements is
 * a Float32Array of 2n.
 */
export function typedArrayFor(dt: DType, n: number): TypedArray {
  return new TYPED_ARRAY_CTORS[dt.name](dt.isComplex ? 2 * n : n);
}
