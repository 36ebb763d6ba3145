/**
 * @file The module programs loaded in this process (module-program.ts records them), so that an
 * error raised while one runs can name the program's own file:line:column (errors.ts).
 */

/** Absolute paths of the program sources loaded so far. */
export const programSources = new Set<string>();

/**
 * Where in a program an error was raised: the first stack frame in a program source, as
 * `file:line:column` (source-mapped), or null.
 */
export function programLocation(err: unknown): string | null {
  if (!(err instanceof Error) || !err.stack || programSources.size === 0) return null;
  for (const line of err.stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!m) continue;
    const path = m[1]!.startsWith('file://') ? new URL(m[1]!).pathname : m[1]!;
    if (programSources.has(path)) return `${path}:${m[2]}:${m[3]}`;
  }
  return null;
}
