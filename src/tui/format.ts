/**
 * @file Number formatting shared by the views and their plain-text forms: times in a unit that
 * fits (µs, ms, s), byte counts, rates to three significant digits, sizes as `512` or `10M`, and
 * estimated times left. No Ink here: the CLI's piped output uses it without loading Ink.
 */

/** Three significant digits, without exponent for the magnitudes benchmarks produce. */
export function sig3(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  if (a >= 0.001) return x.toPrecision(3);
  return x.toExponential(2);
}

/** A duration given in milliseconds: `812 µs`, `12.3 ms`, `4.56 s`. */
export function formatMs(ms: number): string {
  if (ms < 1) return `${sig3(ms * 1000)} µs`;
  if (ms < 1000) return `${sig3(ms)} ms`;
  return `${sig3(ms / 1000)} s`;
}

/** A min–max range of durations in the unit of the larger: `1.20–1.35 ms`. */
export function formatRange(lo: number, hi: number): string {
  const [scale, unit] = hi < 1 ? [1000, 'µs'] : hi < 1000 ? [1, 'ms'] : [1 / 1000, 's'];
  return `${sig3(lo * scale)}–${sig3(hi * scale)} ${unit}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${sig3(n / 1024)} KiB`;
  if (n < 1024 ** 3) return `${sig3(n / 1024 ** 2)} MiB`;
  return `${sig3(n / 1024 ** 3)} GiB`;
}

/** A case's size: `512`, `4k`, `10M` (exact multiples only, so the text parses back to the number). */
export function formatSize(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e4 && n % 1e3 === 0) return `${n / 1e3}k`;
  return String(n);
}

/** Time left: `45s`, `3m 05s`, `1h 02m`. */
export function formatEta(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** A metric value: up to 4 significant digits, exponent for very small or large magnitudes. */
export function formatMetric(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(3);
  return String(Number(x.toPrecision(4)));
}

export function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '-';
}

/** A speedup against a saved run: `1.25x`. */
export function formatSpeedup(x: number | undefined): string {
  return x === undefined ? '' : `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}x`;
}
