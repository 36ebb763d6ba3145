/**
 * @file Run the built `tjax` binary (bin/run.js, from `npm run build`) as a subprocess, as users do.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = `${ROOT}bin/run.js`;
export const FIX = `${ROOT}fixtures/cli/`;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export function tjax(
  args: string[],
  opts: { input?: Buffer | string; cwd?: string; env?: Record<string, string> } = {},
): CliResult {
  if (!existsSync(`${ROOT}dist/commands/run.js`))
    throw new Error('dist/ is missing: run `npm run build` before the CLI tests');
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input: opts.input ?? '',
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    code: r.status ?? -1,
    stdout: r.stdout.toString('utf8'),
    stderr: r.stderr.toString('utf8'),
    stdoutBytes: r.stdout,
  };
}
