/**
 * @file The views' data as plain text, for output that is not a terminal (or `--no-tui`): the bench
 * table, the bar charts, the profile. The Ink views lay out the same cells, so a capture of the
 * live view and a piped run read alike. No escape codes, no Ink.
 */
import { formatBytes, formatMs, formatRange, formatSize, formatSpeedup, percent, sig3 } from './format.js';
import type { BenchRow, ProfileData } from './types.js';

export interface Column {
  title: string;
  width: number;
  align: 'left' | 'right';
}

export function pad(text: string, c: Column): string {
  return c.align === 'left' ? text.padEnd(c.width) : text.padStart(c.width);
}

/** A line of cells separated by two spaces, trailing blanks dropped. */
export function line(cells: string[], columns: Column[]): string {
  return cells
    .map((t, i) => pad(t, columns[i]))
    .join('  ')
    .trimEnd();
}

/** The columns' titles as a line. */
export function headerLine(columns: Column[]): string {
  return line(
    columns.map((c) => c.title),
    columns,
  );
}

/** Columns of text, aligned left, then columns of numbers, aligned right: `{ title: width }` each. */
function columns(text: Record<string, number>, numbers: Record<string, number>): Column[] {
  const of = (widths: Record<string, number>, align: Column['align']) =>
    Object.entries(widths).map(([title, width]): Column => ({ title, width, align }));
  return [...of(text, 'left'), ...of(numbers, 'right')];
}

export function benchColumns(compared: boolean): Column[] {
  const numbers = { size: 6, median: 10, 'min–max': 17, rate: 16, ...(compared ? { 'vs saved': 8 } : {}) };
  return columns({ suite: 11, case: 8, device: 9 }, numbers);
}

export function benchCells(r: BenchRow, compared: boolean): string[] {
  const cells = [
    r.suite,
    r.label,
    r.device,
    formatSize(r.size),
    formatMs(r.medianMs),
    formatRange(r.minMs, r.maxMs),
    `${sig3(r.rate)} ${r.unit}`,
  ];
  if (compared) cells.push(r.speedup === undefined ? '-' : formatSpeedup(r.speedup));
  return cells;
}

export function benchHeader(compared: boolean): string {
  return headerLine(benchColumns(compared));
}

export function benchLine(r: BenchRow, compared: boolean): string {
  return line(benchCells(r, compared), benchColumns(compared));
}

/** One bar of a suite's chart: a case at a size on a device, as a fraction of the suite's longest. */
export interface ChartBar {
  key: string;
  caption: string;
  device: string;
  value: number;
  fraction: number;
}

export interface Chart {
  suite: string;
  unit: string;
  better: 'higher' | 'lower';
  bars: ChartBar[];
}

/** Bar charts per suite comparing devices: one group of bars (one per device) per case and size. */
export function benchCharts(rows: BenchRow[]): Chart[] {
  const charts: Chart[] = [];
  for (const suite of [...new Set(rows.map((r) => r.suite))]) {
    const rs = rows.filter((r) => r.suite === suite);
    const max = Math.max(...rs.map((r) => r.rate));
    const bars: ChartBar[] = [];
    let last = '';
    for (const r of rs) {
      const caption = `${r.label} ${formatSize(r.size)}`;
      bars.push({
        key: `${caption} ${r.device}`,
        caption: caption === last ? '' : caption,
        device: r.device,
        value: r.rate,
        fraction: max > 0 ? r.rate / max : 0,
      });
      last = caption;
    }
    charts.push({ suite, unit: rs[0].unit, better: rs[0].better, bars });
  }
  return charts;
}

/** Rows in run order, but with the devices of a case (suite, label, size) together, as charts group them. */
export function byCase(rows: BenchRow[]): BenchRow[] {
  const groups = new Map<string, BenchRow[]>();
  for (const r of rows) {
    const key = `${r.suite}\0${r.label}\0${r.size}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const suites = [...new Set(rows.map((r) => r.suite))];
  return suites.flatMap((s) => [...groups.values()].filter((g) => g[0].suite === s).flat());
}

/** Eighths of a block: a bar `fraction` of `width` cells long. */
export function barText(fraction: number, width: number): string {
  const eighths = Math.round(Math.max(0, Math.min(1, fraction)) * width * 8);
  const full = Math.floor(eighths / 8);
  const part = eighths % 8;
  return '█'.repeat(full) + (part ? '▏▎▍▌▋▊▉'[part - 1] : '');
}

export const PROFILE_COLUMNS: Column[] = columns(
  { device: 8, kind: 9, kernel: 24 },
  { calls: 5, time: 8, in: 8, out: 8, share: 6 },
);

/** `jit(sin, mul) map_0`, cut to the column with an ellipsis. */
export function kernelTitle(program: string, kernel: string, width = PROFILE_COLUMNS[2].width): string {
  const room = width - kernel.length - 1;
  const p = program.length > room ? `${program.slice(0, Math.max(0, room - 1))}…` : program;
  return p ? `${p} ${kernel}` : kernel;
}

export function profileCells(k: ProfileData['kernels'][number], kernelMs: number): string[] {
  return [
    k.device,
    k.kind,
    kernelTitle(k.program, k.kernel),
    String(k.calls),
    formatMs(k.ms),
    formatBytes(k.bytesIn),
    formatBytes(k.bytesOut),
    percent(k.ms, kernelMs),
  ];
}

export function transferLine(t: ProfileData['transfers'][number]): string {
  const arrow = t.direction === 'to-device' ? `host -> ${t.device}` : `${t.device} -> host`;
  return `${arrow.padEnd(20)} ${String(t.count).padStart(5)} x  ${formatBytes(t.bytes).padStart(10)}  ${formatMs(t.ms).padStart(9)}`;
}

/** Compile time against run time, one line. */
export function timeSummary(p: ProfileData): string {
  return `trace ${formatMs(p.traceMs)}, compile ${formatMs(p.compileMs)} (${p.programsCompiled} program${p.programsCompiled === 1 ? '' : 's'}), kernels ${formatMs(p.kernelMs)}, total ${formatMs(p.totalMs)}`;
}

export function profileText(p: ProfileData): string[] {
  const lines = [`profile: ${p.title}`];
  lines.push(headerLine(PROFILE_COLUMNS));
  for (const k of p.kernels) lines.push(line(profileCells(k, p.kernelMs), PROFILE_COLUMNS));
  if (p.kernels.length === 0) lines.push('(no kernels ran)');
  lines.push(p.transfers.length ? 'transfers:' : 'transfers: none');
  for (const t of p.transfers) lines.push(`  ${transferLine(t)}`);
  lines.push(timeSummary(p));
  return lines;
}
