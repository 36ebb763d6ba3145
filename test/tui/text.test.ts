/**
 * @file The views' plain-text pieces (src/tui/format.ts, text.ts, the sparkline): number formats,
 * bars in eighths of a block, sparklines scaled to their range, and bench lines with no escape
 * codes, as piped output prints them.
 */
import { describe, expect, it } from 'vitest';
import { sparkline } from '../../src/tui/components.js';
import { formatBytes, formatEta, formatMs, formatRange, formatSize, sig3 } from '../../src/tui/format.js';
import { barText, benchCharts, benchHeader, benchLine, byCase, kernelTitle } from '../../src/tui/text.js';
import { ROWS, row } from './data.js';

describe('formats', () => {
  it('times in a unit that fits, to three significant digits', () => {
    expect([0.0123, 0.5, 1, 12.345, 999, 1500, 65_000].map(formatMs)).toEqual([
      '12.3 µs',
      '500 µs',
      '1.00 ms',
      '12.3 ms',
      '999 ms',
      '1.50 s',
      '65.0 s',
    ]);
    expect(formatRange(0.85, 1.4)).toBe('0.850–1.40 ms');
    expect(formatRange(0.2, 0.9)).toBe('200–900 µs');
    expect(sig3(0.00484)).toBe('0.00484');
    expect(sig3(5174.3)).toBe('5174');
  });

  it('bytes, sizes and time left', () => {
    expect([12, 4096, 20480, 3 * 1024 ** 2, 5 * 1024 ** 3].map(formatBytes)).toEqual([
      '12 B',
      '4.00 KiB',
      '20.0 KiB',
      '3.00 MiB',
      '5.00 GiB',
    ]);
    expect([512, 1024, 4096, 200_000, 1_000_000, 1_048_576, 10_000_000].map(formatSize)).toEqual([
      '512',
      '1024',
      '4096',
      '200k',
      '1M',
      '1048576',
      '10M',
    ]);
    expect([400, 45_000, 185_000, 3_720_000].map(formatEta)).toEqual(['0s', '45s', '3m 05s', '1h 02m']);
  });
});

describe('bars and sparklines', () => {
  it('draws bars in eighths of a cell', () => {
    expect(barText(1, 4)).toBe('████');
    expect(barText(0.5, 3)).toBe('█▌');
    expect(barText(1 / 16, 2)).toBe('▏');
    expect(barText(0, 5)).toBe('');
    expect(barText(2, 3)).toBe('███');
  });

  it('scales a sparkline between its min and max, keeping the last values that fit', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8)).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([5, 5, 5], 8)).toBe('▄▄▄');
    expect(sparkline([9, 0, 1], 2)).toBe('▁█');
    expect(sparkline([], 4)).toBe('');
  });
});

describe('bench text', () => {
  it('lines up a header and rows, with speedups when comparing', () => {
    expect(benchHeader(false)).toBe(
      'suite        case      device       size      median            min–max              rate',
    );
    expect(benchLine(ROWS[0], false)).toBe(
      'matmul       f32       cpu:0         256     10.0 ms       9.50–12.0 ms      3.36 GFLOP/s',
    );
    expect(benchHeader(true)).toMatch(/rate {2}vs saved$/);
    expect(benchLine({ ...ROWS[0], speedup: 1.234 }, true)).toMatch(/3\.36 GFLOP\/s +1\.23x$/);
    expect(benchLine(ROWS[0], true)).toMatch(/GFLOP\/s +-$/);
  });

  it('groups chart bars by case with the devices together, scaled to the suite best', () => {
    const rows = [
      row({ size: 256, rate: 1 }),
      row({ size: 512, rate: 4 }),
      row({ size: 256, device: 'webgpu:0', rate: 2 }),
    ];
    const [chart] = benchCharts(byCase(rows));
    expect(chart.bars.map((b) => [b.caption, b.device, b.fraction])).toEqual([
      ['f32 256', 'cpu:0', 0.25],
      ['', 'webgpu:0', 0.5],
      ['f32 512', 'cpu:0', 1],
    ]);
  });

  it('keeps the suites in the order they ran', () => {
    const rows = [
      row({ suite: 'matmul' }),
      row({ suite: 'elementwise', unit: 'GB/s' }),
      row({ suite: 'matmul', size: 512 }),
    ];
    expect(benchCharts(byCase(rows)).map((c) => c.suite)).toEqual(['matmul', 'elementwise']);
  });

  it('shortens long program names in the kernel column', () => {
    expect(kernelTitle('jit(sin)', 'map_0')).toBe('jit(sin) map_0');
    expect(kernelTitle('jit(convert_element_type, sin, mul)', 'reduce_1')).toBe('jit(convert_el… reduce_1');
  });
});
