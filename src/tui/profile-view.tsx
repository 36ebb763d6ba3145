/**
 * @file The placement and timings view for `--profile` on a terminal: a table of kernels (the
 * device each ran on, its kind, calls, time, bytes in and out, share of the kernels' time with a
 * bar), the transfers between host and devices, and compile time against run time.
 */
import { Box, Text } from 'ink';
import { Bar, Row, Section } from './components.js';
import { formatMs } from './format.js';
import { PROFILE_COLUMNS, profileCells, transferLine } from './text.js';
import type { ProfileData } from './types.js';

const SHARE_BAR = 8;

export function ProfileView({ data }: { data: ProfileData }) {
  const compile = data.traceMs + data.compileMs;
  const whole = compile + data.kernelMs;
  return (
    <Box flexDirection="column">
      <Text bold>profile: {data.title}</Text>
      <Row cells={PROFILE_COLUMNS.map((c) => c.title)} columns={PROFILE_COLUMNS} bold />
      {data.kernels.map((k) => (
        <Box key={`${k.device} ${k.program} ${k.kernel}`}>
          <Row cells={profileCells(k, data.kernelMs)} columns={PROFILE_COLUMNS} />
          <Text> </Text>
          <Bar fraction={data.kernelMs > 0 ? k.ms / data.kernelMs : 0} width={SHARE_BAR} color="green" />
        </Box>
      ))}
      {data.kernels.length === 0 && <Text dimColor>(no kernels ran)</Text>}
      <Section title="transfers">
        {data.transfers.length === 0 && <Text dimColor>none (host memory only)</Text>}
        {data.transfers.map((t) => (
          <Text key={`${t.device}-${t.direction}`}>{transferLine(t)}</Text>
        ))}
      </Section>
      <Section title="compile vs run">
        <Box>
          <Text>{'compile '.padEnd(9)}</Text>
          <Bar fraction={whole > 0 ? compile / whole : 0} width={30} color="yellow" />
          <Text>
            {'  '}
            {formatMs(compile)} (trace {formatMs(data.traceMs)}, {data.programsCompiled} program
            {data.programsCompiled === 1 ? '' : 's'} compiled in {formatMs(data.compileMs)})
          </Text>
        </Box>
        <Box>
          <Text>{'run '.padEnd(9)}</Text>
          <Bar fraction={whole > 0 ? data.kernelMs / whole : 0} width={30} color="green" />
          <Text>
            {'  '}
            {formatMs(data.kernelMs)} in kernels; {formatMs(data.totalMs)} wall in all
          </Text>
        </Box>
      </Section>
    </Box>
  );
}
