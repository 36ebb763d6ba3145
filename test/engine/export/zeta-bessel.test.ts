/**
 * @file The StableHLO export of lax.zeta, lax.bessel_i0e and lax.bessel_i1e (export/rules/zeta.ts and bessel.ts)
 * against the text `jax.jit(f).lower(*args).as_text()` prints (fixtures/export_special2.json from
 * fixtures/make_export_special2.py, JAX 0.10.2): CHLO ops for zeta and i1e, i0e's inline Chebyshev
 * series, float16 upcast, and grad's program.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Case, caseFunction, toArray } from '../../../scripts/export-corpus.js';
import { jit } from '../../../src/engine/index.js';

const fx = JSON.parse(
  readFileSync(new URL('../../../fixtures/export_special2.json', import.meta.url), 'utf8'),
) as {
  cases: (Case & { text: string })[];
};

describe('StableHLO export of the special-function primitives', () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const text = jit(caseFunction(c))
        .lower(...c.args.map(toArray))
        .asText({ dialect: 'stablehlo' });
      expect(text).toBe(c.text);
    });
  }
});
