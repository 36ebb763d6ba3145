/**
 * @file Shared plumbing of tjax's scipy.stats: how a distribution method takes its parameters.
 * SciPy/JAX take them by keyword (`norm.pdf(x, loc=0, scale=1)`); here a trailing plain object
 * plays the keywords (`norm.pdf(x, {loc, scale})`) and JAX's positional order is accepted too
 * (`norm.pdf(x, loc, scale)`). Arguments are promoted together to an inexact dtype and
 * broadcast, as jax.scipy.stats does with promote_args_inexact.
 */
import type { Value } from '../../core/trace.js';
import { convertElementType } from '../../lax/convert.js';
import * as lax from '../../lax/elementwise.js';
import { broadcastTo } from '../../numpy/util.js';
import { prep } from '../special.js';

type V = Value;

function isOptions(o: unknown): o is Record<string, unknown> {
  return (
    typeof o === 'object' && o !== null && !Array.isArray(o) && Object.getPrototypeOf(o) === Object.prototype
  );
}

/**
 * A distribution method: `names` are the parameters after the first argument (with `defaults`;
 * `undefined` marks a required one); `f` gets the promoted, broadcast arguments.
 */
export function method(
  qualname: string,
  first: string,
  names: readonly string[],
  defaults: readonly (number | undefined)[],
  f: (x: V, ...params: V[]) => V,
) {
  const g = (x: unknown, ...rest: unknown[]): V => {
    const args = [...rest];
    const opts =
      args.length && isOptions(args[args.length - 1]) ? (args.pop() as Record<string, unknown>) : {};
    if (args.length > names.length) {
      throw new TypeError(
        `${qualname}() takes at most ${names.length + 1} positional arguments but ${args.length + 1} were given`,
      );
    }
    for (const k of Object.keys(opts)) {
      if (!names.includes(k)) throw new TypeError(`${qualname}() got an unexpected keyword argument '${k}'`);
    }
    const vals = names.map((n, i) => {
      if (opts[n] !== undefined && i < args.length)
        throw new TypeError(`${qualname}() got multiple values for argument '${n}'`);
      const v = opts[n] ?? (i < args.length ? args[i] : defaults[i]);
      if (v === undefined) throw new TypeError(`${qualname}() missing required positional argument: '${n}'`);
      return v;
    });
    if (x === undefined)
      throw new TypeError(`${qualname}() missing required positional argument: '${first}'`);
    const { vals: all, back } = prep(qualname, [x, ...vals]);
    return back(f(all[0], ...all.slice(1)));
  };
  Object.defineProperty(g, 'name', { value: qualname.split('.').pop() });
  return g;
}

/** `log<what>` and `<what>` (its exp) of the distribution `dist`, whose parameters after x are `names`. */
export function logAndExp<W extends string>(
  dist: string,
  what: W,
  names: readonly string[],
  defaults: readonly (number | undefined)[],
  logf: (x: V, ...params: V[]) => V,
): Record<W | `log${W}`, ReturnType<typeof method>> {
  return {
    [`log${what}`]: method(`${dist}.log${what}`, 'x', names, defaults, logf),
    [what]: method(`${dist}.${what}`, 'x', names, defaults, (x, ...params) => lax.exp(logf(x, ...params))),
  } as Record<W | `log${W}`, ReturnType<typeof method>>;
}

/** A constant with ref's dtype and shape. */
export function constLike(ref: V, v: number): V {
  return broadcastTo(convertElementType(v, ref.dtype, ref.weakType), ref.shape);
}

/** select where a JS number case takes the other case's dtype and shape. */
export function sel(c: V, t: V | number, f: V | number): V {
  const ref = (typeof t === 'number' ? f : t) as V;
  return lax.select(
    c,
    typeof t === 'number' ? constLike(ref, t) : t,
    typeof f === 'number' ? constLike(ref, f) : f,
  );
}
