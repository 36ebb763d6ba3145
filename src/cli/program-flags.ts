/**
 * @file Flags every command that runs a program shares (run, grad, jit-inspect): `--set` for plain
 * values and `--seed` for a PRNG key input. Data keeps coming through `--arg`.
 */
import * as Flags from '@oclif/core/flags';

export const programFlags = {
  set: Flags.string({
    description:
      'A plain value for the program: name=VALUE (a number, true/false, JSON, or else the text as a string); static under jit',
    multiple: true,
  }),
  seed: Flags.string({ description: 'Give the program a `key` input: jax.random.key(N)' }),
};
