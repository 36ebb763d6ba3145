/**
 * @file oclif's `command_not_found` hook: an unknown command gets the same one-line `error:` as
 * every other usage error, the nearest command name when one is close (`tjax rn` -> `run`), and
 * exit code 2. Built as its own small ES module (scripts/bundle.mjs) so that it loads without the
 * engine.
 */
import { suggestName } from '../../expr/errors.js';
import { clip } from '../../format/quote.js';

interface HookOptions {
  id: string;
  config: { commandIDs: string[]; bin: string };
}

export default async function commandNotFound(opts: HookOptions): Promise<void> {
  const known = opts.config.commandIDs;
  // With spaces as the topic separator, oclif joins the words after the command into the id.
  const id = opts.id.split(':')[0]!;
  const hint = suggestName(id, known);
  const did = hint ? `; did you mean '${hint}'?` : '';
  process.stderr.write(
    `error: unknown command '${clip(id)}'${did} (commands: ${known.join(', ')}; '${opts.config.bin} --help' describes them)\n`,
  );
  process.exitCode = 2;
}
