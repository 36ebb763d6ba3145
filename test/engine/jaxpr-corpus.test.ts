/**
 * @file tjax's jaxprs against JAX 0.10.2's for the corpus in fixtures/jaxpr_corpus.json (made by
 * fixtures/make_jaxpr_corpus.py with `jax.make_jaxpr`): every entry's expression goes through the
 * expression language and makeJaxpr as `tjax jit-inspect` does, and its text is compared with
 * JAX's. The match rate is printed and may never drop below FLOOR (raise it as entries are made to
 * match); the mismatches are listed by their first differing line (`npx tsx
 * test/engine/jaxpr-corpus-util.ts SUBSTRING` prints whole texts). Entries marked
 * `expected_difference` are deliberate differences (docs/ARCHITECTURE.md): they must still trace.
 */
import { describe, expect, it } from 'vitest';
import { check, describeMismatch, loadCorpus } from './jaxpr-corpus-util.js';

/** The number of entries that print exactly as JAX's: it only goes up. */
const FLOOR = 1303;

describe('jaxpr corpus (JAX 0.10.2 make_jaxpr)', () => {
  const corpus = loadCorpus();
  const outcomes = corpus.map(check);

  it('has at least 200 expressions, in float32, int32, grad and vmap variants', () => {
    const bases = new Set(corpus.map((e) => e.python.replace(/^jax\.(grad|vmap)\(lambda [^:]*: /, '')));
    expect(corpus.filter((e) => e.variant === 'f32').length).toBeGreaterThanOrEqual(200);
    expect(bases.size).toBeGreaterThanOrEqual(200);
    for (const v of ['i32', 'grad', 'vmap']) expect(corpus.some((e) => e.variant === v)).toBe(true);
  });

  it(`matches JAX's text for at least ${FLOOR} entries`, () => {
    const bad = outcomes.filter((o) => !o.ok);
    const n = outcomes.length;
    const matched = n - bad.length;
    const expected = bad.filter((o) => o.entry.expected_difference !== undefined).length;
    const byVariant = ['f32', 'i32', 'grad', 'vmap'].map((v) => {
      const all = outcomes.filter((o) => o.entry.variant === v);
      return `${v} ${all.filter((o) => o.ok).length}/${all.length}`;
    });
    const unexpected = bad.filter((o) => o.entry.expected_difference === undefined);
    console.log(
      `jaxpr corpus: ${matched}/${n} entries print as JAX's (${((100 * matched) / n).toFixed(1)}%; ` +
        `${byVariant.join(', ')}); ${expected} deliberate differences; ${unexpected.length} mismatches:\n\n` +
        unexpected.map((o) => describeMismatch(o)).join('\n'),
    );
    expect(matched).toBeGreaterThanOrEqual(FLOOR);
  });

  it('traces every deliberate difference without error', () => {
    for (const o of outcomes.filter((o) => o.entry.expected_difference !== undefined))
      expect(o.error, o.entry.id).toBeUndefined();
  });
});
