/**
 * @file CLI errors and how they reach the user: one line `error: ...` on stderr (plus the source
 * line and a caret for expression errors), exit code 2 for usage errors and 1 for the rest, and a
 * stack trace only with --debug.
 */
import { ExprError, ExprSyntaxError } from '../expr/index.js';
import { FormatError } from '../format/host-array.js';
import { escapeControls } from '../format/quote.js';
import { programLocation } from './program-sources.js';

/** The exit status of a process killed by SIGPIPE (128 + 13): a closed stdout ends a command quietly. */
export const EXIT_SIGPIPE = 141;

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
    // oclif's own ("Missing 1 required arg:" and the argument on the next line) read as one.
    let [first, ...rest] = msg.split('\n');
    while (first!.trimEnd().endsWith(':') && rest.length)
      first = `${first!.trimEnd()} ${rest.shift()!.trim().replace(/\s+/g, ' ')}`;
    const at = code === 1 ? programLocation(err) : null;
    if (at) text = `error: ${first} (at ${at})`;
    else if (err instanceof RangeError && /Maximum call stack size exceeded/.test(first!))
      text = 'error: the input is nested too deeply to process (Maximum call stack size exceeded)';
    else if (isInternal(err)) text = `error: internal error: ${first} (a bug in tjax; --debug prints where)`;
    else text = `error: ${first}`;
    if (debug && rest.length) text += `\n${rest.join('\n')}`;
  }
  text = text.split('\n').map(tame).join('\n');
  if (debug && err instanceof Error && err.stack) {
    const cause = (err as { cause?: unknown }).cause;
    text += `\n${err.stack}`;
    if (cause instanceof Error && cause.stack) text += `\nCaused by: ${cause.stack}`;
  }
  return { text, code };
}

/** JavaScript's own messages, which say nothing to a user of tjax: a bug, not bad input. */
const JS_INTERNAL =
  /is not iterable|is not a function|is not a constructor|Cannot read properties of|Cannot set properties of|is not defined$|Invalid (typed )?array length|Cannot convert .* to a? ?(BigInt|number|primitive)/;

function isInternal(err: unknown): boolean {
  return (
    (err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError) &&
    JS_INTERNAL.test(err.message)
  );
}

/** The longest line of a message before its middle is cut out. */
const MAX_LINE = 1000;

/**
 * One line of a message made safe to print: control characters escaped (tabs kept, for caret
 * lines), and a line of more than MAX_LINE characters cut in the middle, so that no input, however
 * large or hostile, turns an error into megabytes or terminal escape sequences.
 */
function tame(line: string): string {
  const safe = line
    .split('\t')
    .map((part) => escapeControls(part))
    .join('\t');
  if (safe.length <= MAX_LINE) return safe;
  const cut = safe.length - 800;
  return `${safe.slice(0, 600)} ... (${cut} characters) ... ${safe.slice(-200)}`;
}

export function isFormatError(e: unknown): e is FormatError {
  return e instanceof FormatError;
}
