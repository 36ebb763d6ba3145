/**
 * @file The StableHLO text tjax exports against what `jax.jit(f).lower(*args).as_text()` printed
 * for the same program (fixtures/export.json, made by fixtures/make_export.py with JAX 0.10.2):
 * every op, attribute, type, SSA name and function of the module, nothing normalised. Where tjax
 * traces a different (equivalent) jaxpr than JAX, the modules differ by construction; those cases
 * are listed with the reason, and the test fails if one starts to match (update the list) or if
 * a matching one stops. Whether JAX runs each export and gets tjax's numbers is checked by
 * scripts/check_stablehlo.py in CI (tests never run Python).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Case, caseFunction, toArray } from '../../../scripts/export-corpus.js';
import { jit } from '../../../src/engine/index.js';

const fx = JSON.parse(readFileSync(new URL('../../../fixtures/export.json', import.meta.url), 'utf8')) as {
  cases: (Case & { text: string })[];
};

/** Programs whose jaxpr in tjax differs from JAX's (the export lowers what it is given). */
const JAXPR_DIFFERS: Record<string, string> = {
  key_split: 'random.split is not wrapped in jit[name=_threefry_split]',
  linalg_solve:
    "only lu's pivots-to-permutation loop body (@closed_call) differs (lu's own export, as in case lu); @solve, @det, @inv, custom_linear_solve's inlined solve and @_lu_solve(_1) match",
  special:
    "betainc's continued fraction: JAX's Python uses jnp's % and // (calls to @remainder and @floor_divide), the port lax.rem and lax.div (equal on its non-negative counts)",
  scan_unroll: 'the export emits the rolled loop for every unroll (JAX repeats the body inside it)',
  lu: "the batched LU's permutation loop: tjax's vmap batches dynamic_slice with an unbatched index as a dynamic_slice, JAX's as a gather",
};

describe('StableHLO text matches JAX 0.10.2', () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const text = jit(caseFunction(c))
        .lower(...c.args.map(toArray))
        .asText({ dialect: 'stablehlo' });
      if (JAXPR_DIFFERS[c.name]) expect(text).not.toBe(c.text);
      else expect(text).toBe(c.text);
    });
  }

  it('matches most of the corpus', () => {
    const same = fx.cases.filter((c) => !JAXPR_DIFFERS[c.name]).length;
    expect(same / fx.cases.length).toBeGreaterThan(0.6);
  });
});
