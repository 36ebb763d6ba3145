/**
 * @file Flags every command that runs a program shares (run, grad, jit-inspect): `--set` for plain
 * values and `--seed` for a PRNG key input. Data keeps coming through `--arg`. Also the flags of the
 * commands that read CSV inputs and write a result (run, grad).
 */
import * as Flags from '@oclif/core/flags';
import { OUTPUT_FORMATS } from './output.js';
import { tuiFlag } from './tui.js';

export const programFlags = {
  set: Flags.string({
    description:
      'A plain value for the program: name=VALUE (a number, true/false, JSON, or else the text as a string); static under jit',
    multiple: true,
  }),
  seed: Flags.string({ description: 'Give the program a `key` input: jax.random.key(N)' }),
};

/** How run and grad read CSV inputs, compute (--x64) and write their result, and --profile and --tui. */
export const resultFlags = {
  format: Flags.string({ char: 'f', description: 'Output format', options: OUTPUT_FORMATS }),
  delimiter: Flags.string({ description: 'CSV delimiter (default: sniffed)' }),
  'empty-as-nan': Flags.boolean({ description: 'CSV: read empty cells as NaN', default: false }),
  x64: Flags.boolean({ description: 'Enable 64-bit dtypes (float64, int64)', default: false }),
  json: Flags.boolean({ description: 'Write the result as JSON', default: false }),
  profile: Flags.boolean({
    description: 'Show where each kernel ran and its time, transfers, compile vs run time (on stderr)',
    default: false,
  }),
  tui: tuiFlag,
};
