/**
 * @file `tjax bench`'s live view: finished cases as table rows (printed once, above the live part,
 * so the table scrolls like plain output), a spinner on the running case, a progress bar with the
 * time left for the whole run, and at the end a bar chart per suite comparing devices.
 */
import { ProgressBar, Spinner } from '@inkjs/ui';
import { Box, Static, Text } from 'ink';
import { Bar, Row, Section } from './components.js';
import { formatEta, formatSize, sig3 } from './format.js';
import { benchCells, benchCharts, benchColumns, byCase } from './text.js';
import type { BenchProgress, BenchRow } from './types.js';

const BAR = 30;

type Item = { key: string; row: BenchRow | null };

export function BenchView({ state }: { state: BenchProgress }) {
  const columns = benchColumns(state.compared);
  const items: Item[] = [
    { key: 'header', row: null },
    ...state.rows.map((row, i) => ({ key: String(i), row })),
  ];
  const c = state.current;
  return (
    <Box flexDirection="column">
      <Static items={items}>
        {(it) =>
          it.row ? (
            <Row key={it.key} cells={benchCells(it.row, state.compared)} columns={columns} />
          ) : (
            <Row key={it.key} cells={columns.map((col) => col.title)} columns={columns} bold />
          )
        }
      </Static>
      {!state.finished && (
        <Box flexDirection="column">
          <Box>
            {c ? (
              <Spinner label={`${c.suite} ${c.label} on ${c.device}, size ${formatSize(c.size)}`} />
            ) : (
              <Text dimColor>starting…</Text>
            )}
          </Box>
          <Box>
            <Box width={BAR} marginRight={1}>
              <ProgressBar value={state.total ? (100 * state.done) / state.total : 0} />
            </Box>
            <Text>
              {state.done}/{state.total} cases, {formatEta(state.elapsedMs)} elapsed
              {state.etaMs === null ? '' : `, about ${formatEta(state.etaMs)} left`}
            </Text>
          </Box>
        </Box>
      )}
      {state.finished && <BenchSummary state={state} />}
    </Box>
  );
}

function BenchSummary({ state }: { state: BenchProgress }) {
  const charts = benchCharts(byCase(state.rows));
  return (
    <Box flexDirection="column">
      {state.notes.map((n) => (
        <Text key={n} dimColor>
          note: {n}
        </Text>
      ))}
      {charts.map((ch) => {
        const cw = Math.max(...ch.bars.map((b) => b.caption.length));
        const dw = Math.max(...ch.bars.map((b) => b.device.length));
        return (
          <Section key={ch.suite} title={`${ch.suite} (${ch.unit}, ${ch.better} is better)`}>
            {ch.bars.map((b) => (
              <Box key={b.key}>
                <Text>{`  ${b.caption.padEnd(cw)}  ${b.device.padEnd(dw)}  `}</Text>
                <Bar
                  fraction={b.fraction}
                  width={BAR}
                  color={b.device.startsWith('cpu') ? 'cyan' : 'magenta'}
                />
                <Text>{`  ${sig3(b.value)}`}</Text>
              </Box>
            ))}
          </Section>
        );
      })}
      <Text dimColor>
        {state.rows.length} case{state.rows.length === 1 ? '' : 's'} in {formatEta(state.elapsedMs)}
      </Text>
    </Box>
  );
}
