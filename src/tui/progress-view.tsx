/**
 * @file The live view of a long program's `progress(step, total, metrics)` reports: a progress bar
 * with steps per second and the time left, a sparkline per metric with its last value, and where
 * the program's kernels ran (programs and kernels launched per device).
 */
import { ProgressBar } from '@inkjs/ui';
import { Box, Text } from 'ink';
import { Sparkline } from './components.js';
import { formatEta, formatMetric, sig3 } from './format.js';
import type { ProgressData } from './types.js';

const SPARK = 40;

export function ProgressView({ data }: { data: ProgressData }) {
  const { step, total } = data;
  const left =
    total !== null && data.stepsPerSec && step < total
      ? formatEta((1000 * (total - step)) / data.stepsPerSec)
      : null;
  const nameWidth = Math.max(6, ...data.metrics.map((m) => m.name.length));
  return (
    <Box flexDirection="column">
      <Box>
        {total !== null && (
          <Box width={30} marginRight={1}>
            <ProgressBar value={total > 0 ? (100 * step) / total : 0} />
          </Box>
        )}
        <Text>
          step {step}
          {total !== null ? `/${total}` : ''}
          {data.stepsPerSec !== null ? `  ${sig3(data.stepsPerSec)} steps/s` : ''}
          {`  ${formatEta(data.elapsedMs)} elapsed`}
          {left !== null ? `, about ${left} left` : ''}
          {data.finished ? '  done' : ''}
        </Text>
      </Box>
      {data.metrics.map((m) => (
        <Box key={m.name}>
          <Text>{`${m.name.padEnd(nameWidth)}  `}</Text>
          <Sparkline values={m.history} width={SPARK} color="cyan" />
          <Text>{`  ${formatMetric(m.last)}`}</Text>
        </Box>
      ))}
      {data.placement.length > 0 && (
        <Text dimColor>
          {data.placement.map((p) => `${p.device}: ${p.launches} programs, ${p.kernels} kernels`).join('   ')}
        </Text>
      )}
    </Box>
  );
}
