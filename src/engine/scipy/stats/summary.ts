/**
 * @file Summary statistics of jax.scipy.stats: mode (the most common value and its count along an
 * axis, through unique with a static size), rankdata (average, min, max, dense and ordinal ranks
 * by a stable sort, NaN everywhere when the input has a NaN) and sem (the standard error of the
 * mean), as JAX 0.10.2 writes them (jax/_src/scipy/stats/_core.py), options and errors included.
 */
import { defaultFloat } from '../../core/dtype.js';
import { NotImplementedError } from '../../core/errors.js';
import { normalizeAxis } from '../../core/shape.js';
import type { Value } from '../../core/trace.js';
import * as lax from '../../lax/index.js';
import * as jnp from '../../numpy/index.js';
import { promoteArgsInexact } from '../../numpy/util.js';
import { vmap } from '../../transforms/api.js';
import { jit } from '../../transforms/jit.js';

type V = Value;

function checkNanPolicy(name: string, nanPolicy: string): void {
  if (!['propagate', 'omit', 'raise'].includes(nanPolicy))
    throw new Error(
      `Illegal nan_policy value '${nanPolicy}'; expected one of {'propagate', 'omit', 'raise'}`,
    );
  if (nanPolicy === 'omit')
    throw new NotImplementedError(`Logic for \`nan_policy\` of ${nanPolicy} is not implemented`);
  if (nanPolicy === 'raise')
    throw new NotImplementedError(
      `In order to best JIT compile \`${name}\`, we cannot know whether \`x\` contains nans. Please check if nans exist in \`x\` outside of the \`${name}\` function.`,
    );
}

export interface ModeResult {
  mode: V;
  count: V;
}

const modeJit = jit(
  function mode(a: V, axis: number | null, keepdims: boolean): V[] {
    let x = a.ndim ? a : jnp.reshape(a, [1]);
    let ax = axis === null ? null : normalizeAxis(axis, x.ndim);
    const outShape =
      ax === null
        ? keepdims
          ? x.shape.map(() => 1)
          : []
        : keepdims
          ? x.shape.map((s, i) => (i === ax ? 1 : s))
          : x.shape.filter((_, i) => i !== ax);
    if (ax === null) {
      ax = 0;
      x = jnp.ravel(x);
    }
    x = jnp.moveaxis(x, ax, 0);
    x = jnp.reshape(x, [x.shape[0], x.shape.slice(1).reduce((p, q) => p * q, 1)]);
    const helper = (col: V): V[] => {
      if (col.size === 0)
        return [jnp.array(Number.NaN, { dtype: defaultFloat() }), jnp.array(0, { dtype: defaultFloat() })];
      const [vals, counts] = jnp.unique(col, { returnCounts: true, size: col.size }) as V[];
      return [jnp.take(vals, jnp.argmax(counts)), jnp.max(counts)];
    };
    const [vals, counts] = vmap(helper, { inAxes: 1 })(x) as V[];
    return [jnp.reshape(vals, outShape), jnp.reshape(counts, outShape)];
  },
  { staticArgnums: [1, 2] },
);

/** mode(a, {axis=0, nan_policy='propagate', keepdims=false}): {mode, count} along `axis`. */
export function mode(
  a: unknown,
  opts: { axis?: number | null; nan_policy?: string; nanPolicy?: string; keepdims?: boolean } = {},
): ModeResult {
  checkNanPolicy('mode', opts.nan_policy ?? opts.nanPolicy ?? 'propagate');
  const [m, c] = modeJit(
    jnp.asarray(a as never),
    opts.axis === undefined ? 0 : opts.axis,
    opts.keepdims ?? false,
  );
  return { mode: m, count: c };
}

const METHODS = ['average', 'min', 'max', 'dense', 'ordinal'];

function rank1d(a: V, method: string): V {
  const out = defaultFloat();
  const ranks = (x: V): V => {
    const n = x.size;
    const [arr, sorter] = lax.sortKeyVal(x, jnp.arange(n)) as V[];
    const inv = jnp
      .zerosLike(sorter)
      .at.get(sorter)
      .set(jnp.arange(n, { dtype: sorter.dtype }));
    if (method === 'ordinal') return jnp.astype(jnp.add(inv, 1), out);
    const head = jnp.array([true]);
    const obs = jnp.concatenate([
      head,
      jnp.not_equal(lax.sliceInDim(arr, 1, n, 1, 0), lax.sliceInDim(arr, 0, n - 1, 1, 0)),
    ]);
    const dense = jnp.take(jnp.cumsum(obs), inv);
    if (method === 'dense') return jnp.astype(dense, out);
    const [idx] = jnp.nonzero(obs, { size: n + 1, fillValue: n }) as V[];
    const count = jnp.astype(idx, out);
    if (method === 'max') return jnp.take(count, dense);
    if (method === 'min') return jnp.add(jnp.take(count, jnp.subtract(dense, 1)), 1);
    return jnp.multiply(
      0.5,
      jnp.add(jnp.add(jnp.take(count, dense), jnp.take(count, jnp.subtract(dense, 1))), 1),
    );
  };
  return lax.cond(
    jnp.any(jnp.isnan(a)),
    (x: V) => jnp.fullLike(x, Number.NaN, { dtype: out }),
    ranks,
    a,
  ) as V;
}

const rankdataJit = jit(
  function rankdata(a: V, method: string, axis: number | null): V {
    if (axis === null) return rank1d(jnp.ravel(a), method);
    const ax = normalizeAxis(axis, a.ndim);
    // jnp.apply_along_axis: the 1-d ranking vmapped over every other axis.
    let f = (v: V) => rank1d(v, method);
    for (let i = 0; i < a.ndim - 1; i++) f = vmap(f) as typeof f;
    return jnp.moveaxis(f(jnp.moveaxis(a, ax, -1)), -1, ax);
  },
  { staticArgnums: [1, 2] },
);

/** rankdata(a, method='average', {axis=None, nan_policy='propagate'}): ranks from 1, ties by method. */
export function rankdata(
  a: unknown,
  method = 'average',
  opts: { axis?: number | null; nan_policy?: string; nanPolicy?: string } = {},
): V {
  checkNanPolicy('rankdata', opts.nan_policy ?? opts.nanPolicy ?? 'propagate');
  if (!METHODS.includes(method)) throw new Error(`unknown method '${method}'`);
  return rankdataJit(jnp.asarray(a as never), method, opts.axis ?? null);
}

const semJit = jit(
  function sem(b: V, axis: number | null, ddof: number, nanPolicy: string, keepdims: boolean): V {
    if (nanPolicy === 'propagate') {
      const size = axis === null ? b.size : b.shape[normalizeAxis(axis, b.ndim)];
      return jnp.true_divide(jnp.std(b, { axis, ddof, keepdims }), jnp.astype(jnp.sqrt(size), b.dtype));
    }
    if (nanPolicy === 'omit') {
      const count = jnp.sum(jnp.logical_not(jnp.isnan(b)), { axis, keepdims });
      const mean = jnp.true_divide(
        jnp.sum(jnp.where(jnp.isnan(b), 0, b), { axis, keepdims: true }),
        jnp.sum(jnp.logical_not(jnp.isnan(b)), { axis, keepdims: true }),
      );
      const dev = jnp.where(jnp.isnan(b), 0, jnp.square(jnp.subtract(b, mean)));
      const variance = jnp.true_divide(jnp.sum(dev, { axis, keepdims }), jnp.subtract(count, ddof));
      return jnp.true_divide(jnp.sqrt(variance), jnp.astype(jnp.sqrt(count), b.dtype));
    }
    throw new Error(`${nanPolicy} is not supported`);
  },
  { staticArgnums: [1, 2, 3, 4] },
);

/** sem(a, {axis=0, ddof=1, nan_policy='propagate', keepdims=false}): std(a, ddof) / sqrt(n). */
export function sem(
  a: unknown,
  opts: {
    axis?: number | null;
    ddof?: number;
    nan_policy?: string;
    nanPolicy?: string;
    keepdims?: boolean;
  } = {},
): V {
  const [b] = promoteArgsInexact(a);
  return semJit(
    b,
    opts.axis === undefined ? 0 : opts.axis,
    opts.ddof ?? 1,
    opts.nan_policy ?? opts.nanPolicy ?? 'propagate',
    opts.keepdims ?? false,
  );
}
