/**
 * @file The fuzz suite's shared settings: a fixed seed and a bounded number of runs, so CI is
 * repeatable and quick (FUZZ_RUNS raises the count for a longer local session), and the property
 * every reader must keep: it returns, or throws its own error class with a one-line message that
 * names the input.
 */
import fc from 'fast-check';
import { expect } from 'vitest';

export const SEED = 20261207;
export const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

fc.configureGlobal({ seed: SEED, numRuns: RUNS, endOnFailure: true });

/** `f()` returns, or throws an instance of one of `classes` with a short one-line message containing `source`. */
export function returnsOrFailsCleanly(
  f: () => unknown,
  classes: (abstract new (...args: never[]) => unknown)[],
  source: string,
): void {
  try {
    f();
  } catch (e) {
    if (!classes.some((c) => e instanceof c)) throw e;
    const msg = (e as Error).message;
    expect(msg.includes('\n') && !/^[^\n]*\n[^\n]*\n\s*\^/.test(msg)).toBe(false);
    expect(msg).toContain(source);
    expect(msg.length).toBeLessThan(2000);
  }
}

export { fc };
