/**
 * @file Small Ink pieces the views share: a table row laid out by text.ts's columns, a horizontal
 * bar, a sparkline and a titled section. Fed by plain values only.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { barText, type Column, pad } from './text.js';

/** One table row: each cell padded to its column, two spaces apart. */
export function Row({
  cells,
  columns,
  bold,
  dim,
}: {
  cells: string[];
  columns: Column[];
  bold?: boolean;
  dim?: boolean;
}) {
  return (
    <Box>
      <Text bold={bold} dimColor={dim} wrap="truncate-end">
        {cells.map((c, i) => pad(c, columns[i])).join('  ')}
      </Text>
    </Box>
  );
}

/** A bar `fraction` of `width` cells long, in eighths of a block. */
export function Bar({ fraction, width, color }: { fraction: number; width: number; color?: string }) {
  return (
    <Box width={width}>
      <Text color={color}>{barText(fraction, width)}</Text>
    </Box>
  );
}

const TICKS = '▁▂▃▄▅▆▇█';

/** The last `width` values as block heights, scaled between their min and max. */
export function sparkline(values: number[], width: number): string {
  const vs = values.slice(-width).filter((v) => Number.isFinite(v));
  if (vs.length === 0) return '';
  const lo = Math.min(...vs);
  const hi = Math.max(...vs);
  return vs.map((v) => TICKS[hi > lo ? Math.min(7, Math.floor(((v - lo) / (hi - lo)) * 8)) : 3]).join('');
}

export function Sparkline({ values, width, color }: { values: number[]; width: number; color?: string }) {
  return (
    <Box width={width}>
      <Text color={color}>{sparkline(values, width)}</Text>
    </Box>
  );
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>{title}</Text>
      {children}
    </Box>
  );
}
