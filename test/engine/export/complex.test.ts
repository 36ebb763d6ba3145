/**
 * @file The StableHLO text tjax exports for complex-valued programs, the FFT and eig against what
 * JAX 0.10.2 printed (fixtures/complex_export.json, made by fixtures/make_complex_export.py):
 * complex<f32> types, (re,im) constants, real/imag/complex/conj, complex sort keys, stablehlo.fft,
 * LAPACK's geev; and the numbers tjax computes for the same programs against JAX's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ArgSpec, type Case, caseFunction, toArray } from '../../../scripts/export-corpus.js';
import { jit, tree, type Value } from '../../../src/engine/index.js';

const fx = JSON.parse(
  readFileSync(new URL('../../../fixtures/complex_export.json', import.meta.url), 'utf8'),
) as { cases: (Case & { text: string; outputs: ArgSpec[] })[] };

/** Programs whose jaxpr in tjax differs from JAX's (the export lowers what it is given). */
const JAXPR_DIFFERS: Record<string, string> = {};

/** [re, im] pairs or reals, flattened to numbers. */
function flat(data: readonly unknown[]): number[] {
  return data.flatMap((v) => (Array.isArray(v) ? v.map(Number) : [Number(v)]));
}

describe('StableHLO export of complex programs matches JAX 0.10.2', () => {
  for (const c of fx.cases) {
    it(c.name, async () => {
      const f = jit(caseFunction(c));
      const args = c.args.map(toArray);
      const text = f.lower(...args).asText({ dialect: 'stablehlo' });
      if (JAXPR_DIFFERS[c.name]) expect(text).not.toBe(c.text);
      else expect(text).toBe(c.text);
      const outs = tree.leaves(f(...args)) as Value[];
      expect(outs.length).toBe(c.outputs.length);
      for (const [i, o] of c.outputs.entries()) {
        expect(outs[i].dtype.name, `${c.name} out${i}`).toBe(o.dtype);
        expect([...outs[i].shape]).toEqual(o.shape);
        const got = Array.from(await outs[i].data(), Number);
        const want = flat(o.data);
        expect(got.length).toBe(want.length);
        for (const [k, w] of want.entries()) {
          expect(Math.abs(got[k] - w), `${c.name} out${i}[${k}]: ${got[k]} vs ${w}`).toBeLessThanOrEqual(
            1e-5 * (1 + Math.abs(w)),
          );
        }
      }
    });
  }
});
