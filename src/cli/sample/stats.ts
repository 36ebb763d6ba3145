/**
 * @file `tjax sample --stats`: count, mean, std, NumPy's linear quantiles and a text histogram of
 * draws (one bar per value for integers over a small range).
 */

const QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95];

/** NumPy's default (linear) quantile of sorted data. */
function quantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface Stats {
  count: number;
  nan: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  quantiles: Record<string, number>;
  histogram: { edges: number[]; counts: number[]; integer: boolean };
}

export function computeStats(
  values: ArrayLike<number | bigint | boolean>,
  integer: boolean,
  bins = 16,
): Stats {
  const all = Float64Array.from(values as ArrayLike<number>, (v) => Number(v));
  const finite = all.filter((v) => !Number.isNaN(v)).sort();
  const count = all.length;
  const m = finite.length;
  let mean = 0;
  for (const v of finite) mean += v / m;
  let ss = 0;
  for (const v of finite) ss += (v - mean) ** 2;
  const min = m ? finite[0] : Number.NaN;
  const max = m ? finite[m - 1] : Number.NaN;
  const quantiles: Record<string, number> = {};
  for (const q of QUANTILES) quantiles[`${q * 100}%`] = m ? quantile(finite, q) : Number.NaN;
  let edges: number[] = [];
  let counts: number[] = [];
  const inRange = finite.filter(Number.isFinite);
  if (inRange.length) {
    const lo = inRange[0];
    const hi = inRange[inRange.length - 1];
    const perValue = integer && hi - lo < 32;
    const nb = perValue ? hi - lo + 1 : lo === hi ? 1 : bins;
    const width = perValue ? 1 : lo === hi ? 1 : (hi - lo) / nb;
    edges = Array.from({ length: nb + 1 }, (_, i) => (perValue ? lo + i - 0.5 : lo + i * width));
    counts = new Array(nb).fill(0);
    for (const v of inRange) {
      const b = perValue ? v - lo : Math.min(nb - 1, Math.floor((v - lo) / width));
      counts[b]++;
    }
    if (perValue) edges = Array.from({ length: nb }, (_, i) => lo + i);
  }
  return {
    count,
    nan: count - m,
    mean: m ? mean : Number.NaN,
    std: m ? Math.sqrt(ss / m) : Number.NaN,
    min,
    max,
    quantiles,
    histogram: { edges, counts, integer: integer && edges.length === counts.length },
  };
}

const fmt = (v: number, digits = 6) =>
  Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(digits)));

export function renderStats(st: Stats, width = 40): string {
  const lines = [`count  ${st.count}${st.nan ? `  (nan: ${st.nan})` : ''}`];
  lines.push(`mean   ${fmt(st.mean)}`, `std    ${fmt(st.std)}`, `min    ${fmt(st.min)}`);
  for (const [q, v] of Object.entries(st.quantiles)) lines.push(`${q.padEnd(6)} ${fmt(v)}`);
  lines.push(`max    ${fmt(st.max)}`);
  const { edges, counts, integer } = st.histogram;
  if (counts.length) {
    lines.push('');
    const labels = counts.map((_, i) =>
      integer
        ? fmt(edges[i])
        : `[${fmt(edges[i], 4)}, ${fmt(edges[i + 1], 4)}${i === counts.length - 1 ? ']' : ')'}`,
    );
    const lw = Math.max(...labels.map((l) => l.length));
    const top = Math.max(...counts);
    const cw = String(top).length;
    for (const [i, c] of counts.entries()) {
      const bar = '#'.repeat(top ? Math.round((c / top) * width) : 0);
      lines.push(`${labels[i].padStart(lw)} | ${String(c).padStart(cw)} ${bar}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
