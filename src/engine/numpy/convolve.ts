/**
 * @file jnp.convolve and jnp.correlate: 1-d convolution and cross-correlation as JAX computes
 * them (jax/_src/numpy/lax_numpy.py, JAX 0.10.2): jitted functions `convolve`/`correlate` calling
 * the jitted `_conv`, which promotes to an inexact dtype (or to a common dtype when
 * `preferredElementType` is given), puts the longer operand first, flips the kernel for
 * convolve, and runs one conv_general_dilated on (1, 1, n) views with the mode's padding.
 */
import { type DTypeLike, requestDType } from '../core/dtype.js';
import type { Value } from '../core/trace.js';
import { convGeneralDilated } from '../lax/conv.js';
import type { PrecisionLike } from '../lax/dot.js';
import { namedJit } from '../transforms/jit.js';
import { getitem, sl } from './indexing.js';
import { flip } from './shapes.js';
import { asValue, promoteArgs, promoteArgsInexact } from './util.js';

export type ConvolveMode = 'full' | 'same' | 'valid';

export interface ConvolveOptions {
  mode?: ConvolveMode;
  precision?: PrecisionLike;
  preferredElementType?: DTypeLike | null;
}

const shapeText = (s: readonly number[]) => (s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`);

const convJit = namedJit(
  '_conv',
  function _conv(
    a: Value,
    b: Value,
    mode: string,
    op: string,
    precision: PrecisionLike,
    preferredElementType: DTypeLike | null,
  ): Value {
    if (a.ndim !== 1 || b.ndim !== 1) throw new RangeError(`${op}() only support 1-dimensional inputs.`);
    let [x, y] = preferredElementType === null ? promoteArgsInexact(a, b) : promoteArgs(a, b);
    if (x.shape[0] === 0 || y.shape[0] === 0) {
      throw new RangeError(
        `${op}: inputs cannot be empty, got shapes ${shapeText(x.shape)} and ${shapeText(y.shape)}.`,
      );
    }
    let reverse = false;
    if (x.shape[0] < y.shape[0]) {
      [x, y] = [y, x];
      // Correlation is not symmetric: swapped operands give the reversed result.
      reverse = op === 'correlate';
    }
    if (op === 'convolve') y = flip(y);
    const k = y.shape[0];
    let padding: [number, number][];
    if (mode === 'valid') padding = [[0, 0]];
    else if (mode === 'same') padding = [[Math.floor(k / 2), k - Math.floor(k / 2) - 1]];
    else if (mode === 'full') padding = [[k - 1, k - 1]];
    else throw new RangeError("mode must be one of ['full', 'same', 'valid']");
    const result = convGeneralDilated(
      getitem(x, [null, null, sl()]),
      getitem(y, [null, null, sl()]),
      [1],
      padding,
      {
        precision,
        preferredElementType,
      },
    );
    return getitem(result, [0, 0, reverse ? sl(null, null, -1) : sl()]);
  },
  { staticArgnums: [2, 3, 4, 5] },
);

function options(
  mode: ConvolveMode | ConvolveOptions | undefined,
  opts: ConvolveOptions,
  dflt: ConvolveMode,
) {
  const o = typeof mode === 'object' && mode !== null ? { ...mode, ...opts } : { ...opts, mode };
  const pet =
    o.preferredElementType === null || o.preferredElementType === undefined
      ? null
      : requestDType(o.preferredElementType, 'convolve');
  return { mode: o.mode ?? dflt, precision: o.precision ?? null, pet };
}

/**
 * jnp.convolve or jnp.correlate as `(a, v, mode = dflt, { precision, preferredElementType })`, its
 * jitted body with mode, precision and preferred type static.
 */
function conv1d(op: 'convolve' | 'correlate', dflt: ConvolveMode) {
  const jitted = namedJit(
    op,
    (a: Value, v: Value, mode: string, precision: PrecisionLike, pet: DTypeLike | null): Value =>
      convJit(a, v, mode, op, precision, pet),
    { staticArgnums: [2, 3, 4] },
  );
  const f = (
    a: unknown,
    v: unknown,
    mode?: ConvolveMode | ConvolveOptions,
    opts: ConvolveOptions = {},
  ): Value => {
    const o = options(mode, opts, dflt);
    return jitted(asValue(a), asValue(v), o.mode, o.precision, o.pet);
  };
  return Object.defineProperty(f, 'name', { value: op });
}

/** jnp.convolve(a, v, mode = 'full', { precision, preferredElementType }): 1-d convolution. */
export const convolve = conv1d('convolve', 'full');
/** jnp.correlate(a, v, mode = 'valid', { precision, preferredElementType }): 1-d cross-correlation. */
export const correlate = conv1d('correlate', 'valid');
