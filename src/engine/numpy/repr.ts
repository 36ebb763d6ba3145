/**
 * @file Installs the Array repr, as JAX 0.10.2 prints it (`Array([1., 2.], dtype=float32)`), into
 * core's reprHooks at load time (imported by numpy/index.ts), so `String(x)` and `util.inspect(x)`
 * print like JAX. The printing itself is core/print/array2string.ts, shared with the CLI's text output.
 */
import { type ArrayImpl, reprHooks } from '../core/array.js';
import type { TypedArray } from '../core/dtype.js';
import { arrayRepr } from '../core/print/array2string.js';

reprHooks.repr = (x: ArrayImpl, data: TypedArray) =>
  arrayRepr({ dtype: x.dtype.name, shape: x.shape, data }, { weakType: x.weakType });
