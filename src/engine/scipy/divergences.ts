/**
 * @file Divergences and distances: elementwise kl_div / rel_entr (from special.ts), the closed-form
 * KL divergence between two normals, scipy.stats.wasserstein_distance for 1-D (weighted) samples,
 * and a sliced Wasserstein distance for n-D samples.
 *
 * The 1-D distance is SciPy's integral of |U - V| (the two empirical CDFs) over the merged sorted
 * support, computed without searchsorted: merge both samples with signed normalized weights
 * (+u_w / sum u_w, -v_w / sum v_w), sort once, and the running sum of the sorted weights is U - V
 * on each gap between consecutive values (ties give zero-width gaps, so their order does not
 * matter). Everything works along the last axis, so the sliced distance runs every projection
 * at once.
 */
import type { Value } from '../core/trace.js';
import * as lax from '../lax/elementwise.js';
import { sliceInDim, transpose } from '../lax/structural.js';
import { matmul } from '../numpy/linalg.js';
import { mean, sum } from '../numpy/reductions.js';
import { concatenate, diff } from '../numpy/shapes.js';
import { argsort, cumsum } from '../numpy/sorting.js';
import { take_along_axis } from '../numpy/take.js';
import { broadcastTo, promoteArgsInexact } from '../numpy/util.js';
import { type KeyLike, normal } from '../random/index.js';
import { prep, xMinusLog1p } from './special.js';

export { kl_div, rel_entr } from './special.js';

type V = Value;

/**
 * KL(N(mu1, sigma1^2) || N(mu2, sigma2^2)) = log(s2/s1) + (s1^2 + (mu1 - mu2)^2) / (2 s2^2) - 1/2,
 * computed as ((r^2 - 1) - log(r^2)) / 2 + d^2 / 2 with r = s1/s2, d = (mu1 - mu2)/s2, which keeps
 * its digits when the two normals are close.
 */
export function kl_normal(mu1: unknown, sigma1: unknown, mu2: unknown, sigma2: unknown): V {
  const { vals, back } = prep('kl_normal', [mu1, sigma1, mu2, sigma2]);
  const [m1, s1, m2, s2] = vals;
  const r = lax.div(s1, s2);
  const d = lax.div(lax.sub(m1, m2), s2);
  const s = lax.sub(lax.mul(r, r), 1);
  return back(lax.mul(0.5, lax.add(xMinusLog1p(s), lax.mul(d, d))));
}
export const klNormal = kl_normal;

function normalized(w: V | null, like: V): V {
  const n = like.shape[like.ndim - 1];
  if (!w) return lax.add(lax.mul(like, 0), 1 / n);
  const bw = broadcastTo(w, like.shape);
  return lax.div(bw, broadcastTo(sum(bw, { axis: -1, keepdims: true }), like.shape));
}

/** The 1-D Wasserstein-1 distance along the last axis (u, v may have leading batch axes). */
function w1LastAxis(u: V, v: V, uw: V | null, vw: V | null): V {
  const all = concatenate([u, v], { axis: -1 });
  const w = concatenate([normalized(uw, u), lax.neg(normalized(vw, v))], { axis: -1 });
  const order = argsort(all, { axis: -1 });
  const sorted = take_along_axis(all, order, -1);
  const ws = take_along_axis(w, order, -1);
  const n = all.shape[all.ndim - 1];
  const cdf = sliceInDim(cumsum(ws, { axis: -1 }), 0, n - 1, 1, all.ndim - 1);
  return sum(lax.mul(lax.abs(cdf), diff(sorted, { axis: -1 })), { axis: -1 });
}

/**
 * scipy.stats.wasserstein_distance(u_values, v_values, u_weights=None, v_weights=None): the
 * first Wasserstein distance between two 1-D empirical distributions.
 */
export function wasserstein_distance(
  uValues: unknown,
  vValues: unknown,
  uWeights: unknown = null,
  vWeights: unknown = null,
): V {
  const args = [uValues, vValues, uWeights, vWeights].filter((a) => a !== null && a !== undefined);
  const vals = promoteArgsInexact(...args);
  const [u, v] = vals;
  if (u.ndim !== 1 || v.ndim !== 1)
    throw new Error('wasserstein_distance: u_values and v_values must be 1-D');
  if (u.shape[0] === 0 || v.shape[0] === 0) throw new Error("Distribution can't be empty.");
  let k = 2;
  const uw = uWeights !== null && uWeights !== undefined ? vals[k++] : null;
  const vw = vWeights !== null && vWeights !== undefined ? vals[k++] : null;
  for (const [w, x, name] of [
    [uw, u, 'u'],
    [vw, v, 'v'],
  ] as const) {
    if (w && (w.ndim !== 1 || w.shape[0] !== x.shape[0])) {
      throw new Error(`wasserstein_distance: ${name}_weights must have the same length as ${name}_values`);
    }
  }
  return w1LastAxis(u, v, uw, vw);
}
export const wassersteinDistance = wasserstein_distance;

export interface SlicedWassersteinOptions {
  /** (L, d) projection directions (normalized here); drawn from `key` when absent. */
  directions?: unknown;
  key?: unknown;
  /** Number of random directions drawn from `key` (default 50). */
  nProjections?: number;
  uWeights?: unknown;
  vWeights?: unknown;
}

/**
 * Sliced Wasserstein-1 distance between two n-D samples X (n, d) and Y (m, d): the mean over unit
 * directions theta of wasserstein_distance(X theta, Y theta). Directions come from
 * `opts.directions`, or are drawn with random.normal(key, (nProjections, d)) and normalized.
 */
export function sliced_wasserstein_distance(X: unknown, Y: unknown, opts: SlicedWassersteinOptions = {}): V {
  const [x, y] = promoteArgsInexact(X, Y);
  if (x.ndim !== 2 || y.ndim !== 2 || x.shape[1] !== y.shape[1]) {
    throw new Error('sliced_wasserstein_distance: X and Y must be 2-D with the same number of columns');
  }
  const d = x.shape[1];
  let dirs: V;
  if (opts.directions !== undefined && opts.directions !== null) {
    [dirs] = promoteArgsInexact(opts.directions);
    dirs = lax.convertElementType(dirs, x.dtype);
  } else if (opts.key !== undefined) {
    dirs = normal(opts.key as KeyLike, [opts.nProjections ?? 50, d], x.dtype);
  } else {
    throw new TypeError('sliced_wasserstein_distance needs either directions or key');
  }
  if (dirs.ndim !== 2 || dirs.shape[1] !== d)
    throw new Error(`sliced_wasserstein_distance: directions must have shape (L, ${d})`);
  const norms = lax.sqrt(sum(lax.mul(dirs, dirs), { axis: -1, keepdims: true }));
  const unit = lax.div(dirs, broadcastTo(norms, dirs.shape));
  // (L, n) and (L, m) projections; one batched 1-D distance per row.
  const px = matmul(unit, transpose(x, [1, 0]));
  const py = matmul(unit, transpose(y, [1, 0]));
  const uw = opts.uWeights == null ? null : promoteArgsInexact(opts.uWeights)[0];
  const vw = opts.vWeights == null ? null : promoteArgsInexact(opts.vWeights)[0];
  return mean(w1LastAxis(px, py, uw, vw));
}
export const slicedWassersteinDistance = sliced_wasserstein_distance;
