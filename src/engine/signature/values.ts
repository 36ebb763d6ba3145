/**
 * @file The values a namespace function's arguments may take, checked for every function at once:
 * by the type JAX annotates the parameter with (the generated signatures carry `ArrayLike`, `int`,
 * `Axis`, `Shape`, `bool`, `DTypeLike` and their `| None` forms), by the parameter's name where
 * the name says more (`precision`, `device`, `kind`, enumerated strings), and, failing both, a
 * parameter whose JAX default is True or False takes a boolean. Errors are JAX's or NumPy's, in
 * their words: check_arraylike's `sin requires ndarray or scalar arguments, got <class 'str'> at
 * position 0.`, operator.index's `'float' object cannot be interpreted as an integer`, `Shapes
 * must be 1D sequences of concrete values of integer type, got ('3',).`, the allowed strings of an
 * enumerated option. Functions that check a value themselves (take's mode, pad's mode, norm's ord,
 * searchsorted's side, the pools' padding) are left to do so. A check returns the value the
 * function gets: a concrete integer array given as an axis or a shape becomes JS numbers.
 */
import { devices, resolveDevice } from '../backends/registry.js';
import { ArrayImpl, hostReadable } from '../core/array.js';
import { Complex } from '../core/complex.js';
import { toDType } from '../core/dtype.js';
import { ConcretizationTypeError, NotImplementedError, ValueError } from '../core/errors.js';
import { ArrayMethods } from '../core/methods.js';
import { canonicalizePrecision } from '../lax/dot.js';
import { AbstractDType } from '../numpy/dtype-info.js';
import { Slice } from '../numpy/index-parse.js';
import { isKeyArray } from '../random/keys.js';

/** Where a value is checked: the function's Python name, the parameter, its position and default. */
interface At {
  fn: string;
  param: string;
  position: number;
  def: unknown;
}

type Check = (v: unknown, at: At) => unknown;

/** Python's type name of a JS value, for Python's messages. */
export function pyType(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'function') return 'function';
  if (Array.isArray(v)) return 'tuple';
  if (v instanceof ArrayMethods) return 'Array';
  if (v instanceof Complex) return 'complex';
  return 'dict';
}

/** Python's repr of a JS value, for Python's messages. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) return `(${v.map(pyRepr).join(', ')}${v.length === 1 ? ',' : ''})`;
  return String(v);
}

function isInt(v: unknown): v is number | bigint {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
}

/**
 * A concrete integer array's elements as JS numbers (JAX takes `axis=jnp.array(0)` and
 * `zeros(jnp.array([2, 3]))` when the value is known); null when `v` is not one. A traced value
 * raises JAX's ConcretizationTypeError.
 */
function concreteInts(v: unknown, at: At): number[] | null {
  if (!(v instanceof ArrayMethods)) return null;
  if (!(v instanceof ArrayImpl) || !hostReadable(v))
    throw new ConcretizationTypeError(
      `traced array with shape ${v.aval.strShort()}`,
      `The ${at.param} argument of ${at.fn}() must be known statically.`,
    );
  if (!(v.dtype.isInt || v.dtype.isBool) || v.ndim > 1) return null;
  return Array.from(v.dataSync() as ArrayLike<number | bigint>, Number);
}

/** operator.index: an integer (a bool counts, as in Python), or Python's TypeError. */
const int: Check = (v, at) => {
  if (typeof v === 'boolean') return Number(v);
  if (isInt(v)) return v;
  const c = concreteInts(v, at);
  if (c && (v as ArrayMethods).ndim === 0) return c[0];
  throw new TypeError(`'${pyType(v)}' object cannot be interpreted as an integer`);
};

/** A sequence of integers (a concrete integer array is one); a bare integer is Python's TypeError. */
const ints: Check = (v, at) => {
  const c = concreteInts(v, at);
  if (c && (v as ArrayMethods).ndim === 1) return c;
  if (typeof v === 'string')
    throw new TypeError(`${at.param} must be a sequence of integers, got ${pyRepr(v)}`);
  if (!Array.isArray(v)) throw new TypeError(`'${pyType(v)}' object is not iterable`);
  return v.map((e) => int(e, at));
};

/** An axis: an integer or a sequence of them (None is the `| None` form's). */
const axes: Check = (v, at) =>
  Array.isArray(v) || (v instanceof ArrayMethods && v.ndim > 0) ? ints(v, at) : int(v, at);

/** A shape: an integer or a sequence of them, concrete; the function gets a list of numbers. */
const shape: Check = (v, at) => {
  const c = v === null ? null : concreteInts(v, at);
  if (c) return c;
  const dims = Array.isArray(v) ? v : [v];
  if (dims.every((d) => isInt(d))) return dims;
  return dims.map((d) => {
    if (isInt(d)) return Number(d);
    const e = typeof d === 'boolean' ? null : concreteInts(d, at);
    if (e === null || (d as ArrayMethods).ndim !== 0)
      throw new TypeError(
        `Shapes must be 1D sequences of concrete values of integer type, got ${pyRepr(dims)}.`,
      );
    return e[0];
  });
};

/** lax.pad's padding_config: (low, high, interior) triples of integers. */
const paddingConfig: Check = (v, at) => {
  if (!Array.isArray(v)) throw new TypeError(`'${pyType(v)}' object is not iterable`);
  return v.map((t) => {
    if (!Array.isArray(t)) throw new TypeError(`cannot unpack non-iterable ${pyType(t)} object`);
    return t.map((e) => int(e, at));
  });
};

/** dot_general's ((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch)), sequences of integers. */
const dotDimensionNumbers: Check = (v, at) => {
  const bad = () =>
    new TypeError(
      `dimension_numbers must be ((lhs_contracting_dims, rhs_contracting_dims), (lhs_batch_dims, rhs_batch_dims)), got ${pyRepr(v)}`,
    );
  if (!Array.isArray(v) || v.length !== 2) throw bad();
  return v.map((p) => {
    if (!Array.isArray(p) || p.length !== 2) throw bad();
    return p.map((d) => (Array.isArray(d) || d instanceof ArrayMethods ? ints(d, at) : [int(d, at)]));
  });
};

/** A dtype, or one of NumPy's abstract scalar types (jnp.floating), which issubdtype takes. */
const dtype: Check = (v) => {
  if (!(v instanceof AbstractDType)) toDType(v as never);
  return v;
};

/** A boolean option; Python's truthy numbers pass, a string is a mistake. */
const bool: Check = (v, at) => {
  if (typeof v === 'boolean' || typeof v === 'number' || v instanceof ArrayMethods) return v;
  throw new ValueError(`${at.fn}() argument '${at.param}' must be True or False, got ${pyRepr(v)}`);
};

/** What JAX's check_arraylike accepts (and tjax's lists, typed arrays and key arrays). */
function isArrayLike(v: unknown, depth = 0): boolean {
  switch (typeof v) {
    case 'number':
    case 'boolean':
    case 'bigint':
      return true;
    case 'object':
      if (v === null) return false;
      if (v instanceof ArrayMethods || v instanceof Complex || isKeyArray(v) || ArrayBuffer.isView(v))
        return true;
      return Array.isArray(v) && depth < 64 && v.every((e) => isArrayLike(e, depth + 1));
    default:
      return false;
  }
}

/** An array argument: check_arraylike's TypeError for anything else. */
const arrayLike: Check = (v, at) => {
  if (isArrayLike(v)) return v;
  let bad = v;
  while (Array.isArray(bad)) bad = bad.find((e) => !isArrayLike(e));
  throw new TypeError(
    `${at.fn} requires ndarray or scalar arguments, got <class '${pyType(bad)}'> at position ${at.position}.`,
  );
};

/** A lax argument: an array or a scalar; a list is JAX's TypeError there. */
const laxArray: Check = (v, at) => {
  if (Array.isArray(v) || ArrayBuffer.isView(v))
    throw new TypeError(
      `Error interpreting argument to ${at.fn} as a JAX value. The problematic value is of type <class 'tuple'> and was passed to ${at.fn} at position ${at.position}.`,
    );
  return arrayLike(v, at);
};

/** A sequence of arrays (concatenate's): a list of array-likes, or an array (its rows). */
const arrays: Check = (v) => {
  if (v instanceof ArrayMethods) {
    if (v.ndim === 0) throw new TypeError('iteration over a 0-d array');
    return Array.from({ length: v.shape[0] }, (_, i) => v.index(i));
  }
  if (ArrayBuffer.isView(v)) return v;
  if (!Array.isArray(v)) throw new TypeError(`Value after * must be an iterable, not ${pyType(v)}`);
  const bad = v.find((e) => !isArrayLike(e));
  if (bad !== undefined)
    throw new TypeError(`asarray: expected ArrayLike, got ${pyRepr(bad)} of type <class '${pyType(bad)}'>.`);
  return v;
};

/** The `X | None` form of a check. */
const orNone =
  (check: Check): Check =>
  (v, at) =>
    v === null ? v : check(v, at);

/** Checks by JAX's annotation (fixtures/make_signatures.py names these types). */
const BY_TYPE = new Map<string, Check>([
  ['ArrayLike', arrayLike],
  ['ArrayLike | None', orNone(arrayLike)],
  ['LaxArray', laxArray],
  ['LaxArray | None', orNone(laxArray)],
  ['Sequence[ArrayLike]', arrays],
  ['Array | Sequence[Array]', (v, at) => (v instanceof ArrayMethods ? v : arrays(v, at))],
  ['int', int],
  ['int | None', orNone(int)],
  ['Axis', orNone(axes)],
  ['Axes', axes],
  ['Sequence[int]', ints],
  ['Sequence[int] | None', orNone(ints)],
  ['Shape', shape],
  ['Shape | None', orNone(shape)],
  ['bool', bool],
  ['bool | None', orNone(bool)],
  ['DTypeLike', dtype],
  ['DTypeLike | None', orNone(dtype)],
  ['PaddingConfig', paddingConfig],
  ['DotDimensionNumbers', dotDimensionNumbers],
]);

function isPlain(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

function noneArray(): never {
  throw new ValueError('None is not a valid value for jnp.array');
}

/** One of a fixed set of values, in the function's own words. */
function oneOf(allowed: readonly (string | number | null)[], message: (v: unknown) => string): Check {
  return (v) => {
    if (!allowed.includes(v as string)) throw new ValueError(message(v));
    return v;
  };
}

/** Checks by parameter name (`fn.param` for one function's), for what the annotation does not say. */
const BY_NAME = new Map<string, Check>([
  [
    'device',
    orNone((v) => {
      try {
        resolveDevice(v as never);
      } catch (err) {
        if (typeof v !== 'string') throw err;
        const known = devices().map(String).join(', ');
        throw new ValueError(
          `unknown device ${pyRepr(v)}: the devices are ${known} (${(err as Error).message})`,
        );
      }
      return v;
    }),
  ],
  // Window geometry (lax.reduce_window's, flax's pools): sequences of integers. (flax's pools
  // take their options object in the strides slot too: `maxPool(x, [2, 2], { strides, padding })`.)
  ...[
    'window_shape',
    'window_dimensions',
    'strides',
    'window_strides',
    'base_dilation',
    'window_dilation',
  ].map((p) => [p, orNone((v, at) => (isPlain(v) ? v : ints(v, at)))] as [string, Check]),
  [
    'precision',
    (v) => {
      canonicalizePrecision(v as never);
      return v;
    },
  ],
  ['dtype', orNone(dtype)],
  ['new_dtype', dtype],
  ['shape', (v, at) => (v === null && at.def === null ? v : shape(v, at))],
  ['new_sizes', shape],
  ['axis', orNone(axes)],
  ['dimension', int],
  ['size', orNone(int)],
  ...['sort.kind', 'argsort.kind'].map((k): [string, Check] => [
    k,
    (v, at) => {
      if (v !== null)
        throw new TypeError(
          `'kind' argument to ${at.fn} is not supported. Use stable=True or stable=False to specify sort stability.`,
        );
      return v;
    },
  ]),
  // JAX's own check comes first: string bins raise its NotImplementedError (histogram.ts).
  ['histogram_bin_edges.bins', (v) => v],
  ['polyfit.cov', (v, at) => (v === 'unscaled' ? v : bool(v, at))],
  ['UPLO', oneOf([null, 'L', 'U'], (v) => `UPLO must be one of None, 'L', or 'U', got ${String(v)}`)],
  [
    'rounding_method',
    oneOf([0, 1], (v) => `${typeof v === 'string' ? `'${v}'` : String(v)} is not a valid RoundingMethod`),
  ],
  ['indexing', oneOf(['xy', 'ij'], (v) => `Valid values for indexing are 'xy' and 'ij', got ${String(v)}`)],
  ['tile.reps', (v, at) => (Array.isArray(v) ? ints(v, at) : int(v, at))],
  ['lexsort.keys', arrays],
  // lax.index_take's idxs is annotated Array but is a tuple of index arrays (slicing.py).
  ['index_take.idxs', arrays],
  // A slice, an array (traced or not: jnp.insert checks its dtype itself) or integers.
  [
    'insert.obj',
    (v, at) =>
      v instanceof Slice || v instanceof ArrayMethods ? v : Array.isArray(v) ? ints(v, at) : int(v, at),
  ],
  [
    'pad.pad_width',
    (v, at) => {
      const nested = (w: unknown): unknown => {
        if (Array.isArray(w)) return w.map(nested);
        if (isInt(w)) return w;
        const c = concreteInts(w, at);
        if (c && (w as ArrayMethods).ndim === 0) return c[0];
        if (c) return c;
        if (w instanceof ArrayImpl && w.ndim === 2 && (w.dtype.isInt || w.dtype.isBool)) {
          const d = Array.from(w.dataSync() as ArrayLike<number | bigint>, Number);
          return Array.from({ length: w.shape[0] }, (_, i) => d.slice(i * w.shape[1], (i + 1) * w.shape[1]));
        }
        throw new TypeError('`pad_width` must be of integral type.');
      };
      return nested(v);
    },
  ],
  ['roll.shift', (v, at) => (v === null ? noneArray() : Array.isArray(v) ? v : arrayLike(v, at))],
  ...(['start', 'stop', 'step'] as const).map(
    (p) =>
      [
        `arange.${p}`,
        (v: unknown, at: At) => {
          if (v === null || (!Array.isArray(v) && isArrayLike(v))) return v;
          throw new TypeError(
            `arange requires ndarray, scalar, or None arguments, got <class '${pyType(v)}'> at position ${at.position}.`,
          );
        },
      ] as [string, Check],
  ),
  [
    'eye.k',
    (v) => {
      if (!isInt(v)) throw new ValueError(`k must be a scalar integer; got ${pyRepr(v)}`);
      return v;
    },
  ],
  [
    'searchsorted.method',
    oneOf(
      ['compare_all', 'scan', 'scan_unrolled', 'sort'],
      (v) =>
        `invalid argument method=${pyRepr(v)}, expected one of ['compare_all', 'scan', 'scan_unrolled', 'sort']`,
    ),
  ],
  [
    'einsum.subscripts',
    (v) => {
      if (typeof v === 'string') return v;
      if (Array.isArray(v) || v instanceof ArrayMethods)
        throw new NotImplementedError(
          "einsum's (operand, sublist, ...) form is not supported: use a subscripts string",
        );
      throw new TypeError(`'${pyType(v)}' object is not iterable`);
    },
  ],
]);

/**
 * The check of a parameter (by function and name, by JAX's annotation, by name, by its default's
 * type), bound to where it applies, or null when its values are not checked. The binder resolves
 * it once per parameter; a check returns what the function is given for the value.
 */
export function checkFor(
  fn: string,
  param: string,
  type: string | null,
  def: unknown,
  position: number,
): ((v: unknown) => unknown) | null {
  const check =
    BY_NAME.get(`${fn}.${param}`) ??
    (type ? BY_TYPE.get(type) : undefined) ??
    BY_NAME.get(param) ??
    (typeof def === 'boolean' ? orNone(bool) : undefined);
  if (!check) return null;
  const at: At = { fn, param, position, def };
  return (v) => (v === undefined ? v : check(v, at));
}
