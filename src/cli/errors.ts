/**
 * @file CLI errors and how they reach the user: one line `error: ...` on stderr (plus the source
 * line and a caret for expression errors), exit code 2 for usage errors and 1 for the rest, and a
 * stack trace only with --debug.
 */
import { ExprError, ExprSyntaxError } from '../expr/index.js';
import { FormatError } from '../format/host-array.js';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Bad invocation: unknown input, missing flag value, unparseable SOURCE. Exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** The text to print for an error, and its exit code. */
export function describeError(err: unknown, debug: boolean): { text: string; code: number } {
  // A malformed expression is a usage error, like a malformed flag.
  const code =
    err instanceof ExprSyntaxError
      ? 2
      : err instanceof CliError
        ? err.exitCode
        : typeof (err as { oclif?: { exit?: number } })?.oclif?.exit === 'number'
          ? (err as { oclif: { exit: number } }).oclif.exit
          : 1;
  let text: string;
  if (err instanceof ExprError) {
    text = err.render();
    if (!text.startsWith('error:')) text = `error: ${text}`;
  } else {
    let msg = err instanceof Error ? err.message : String(err);
    // oclif's flag errors put what was wrong on a second line: `Parsing --repeat \n\tExpected ...`.
    msg = msg.replace(/^Parsing (--[\w-]+)\s*\n\s*/, '$1: ');
    // Engine messages can run to several lines (JAX's tracer errors); the first says what happened.
    const [first, ...rest] = msg.split('\n');
    text = `error: ${first}`;
    if (debug && rest.length) text += `\n${rest.join('\n')}`;
  }
  if (debug && err instanceof Error && err.stack) {
    const cause = (err as { cause?: unknown }).cause;
    text += `\n${err.stack}`;
    if (cause instanceof Error && cause.stack) text += `\nCaused by: ${cause.stack}`;
  }
  return { text, code };
}

export function isFormatError(e: unknown): e is FormatError {
  return e instanceof FormatError;
}
