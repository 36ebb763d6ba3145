/**
 * @file The base of every tjax command: shared flags (--debug, --x64, --device), NO_COLOR, and
 * the error path (one line on stderr, exit 2 for usage and 1 otherwise, stack only with --debug).
 */
import { Command } from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import { describeError, EXIT_SIGPIPE } from './errors.js';

export abstract class BaseCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({
      description: 'Print stack traces with errors.',
      default: false,
      helpGroup: 'GLOBAL',
    }),
  };

  protected debugMode = false;

  override async init(): Promise<void> {
    await super.init();
    this.debugMode = this.argv.includes('--debug');
    if (process.env.NO_COLOR !== undefined) process.env.FORCE_COLOR = '0';
    // A closed stdout (`| head -1`) ends the command quietly (output.ts writeStdout), never with an
    // unhandled 'error' event.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(EXIT_SIGPIPE);
      throw err;
    });
  }

  override async catch(err: Error & { exitCode?: number }): Promise<void> {
    // oclif's own exits (help, --version) pass through untouched.
    if ((err as { oclif?: { exit?: number } }).oclif?.exit === 0) throw err;
    if (err.constructor?.name === 'ExitError') throw err;
    const { text, code } = describeError(err, this.debugMode);
    // Set the exit code and return rather than process.exit(): stderr on a pipe is written
    // asynchronously, and exiting at once could cut a long message (a --debug stack) short.
    process.exitCode = code;
    process.stderr.write(`${text}\n`);
  }
}
