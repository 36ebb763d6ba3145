/**
 * @file The StableHLO of lax.bessel_i0e (JAX's lower_fun of Cephes' i0e, export/rules/bessel.ts)
 * and lax.bessel_i1e (chlo.bessel_i1e) equals what JAX 0.10.2 prints (fixtures/bessel_export.json,
 * made by fixtures/make_bessel_export.py), for float32 and float16 (computed in float32).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jit, numpy as jnp, lax, type Value } from '../../../src/engine/index.js';

const fx = JSON.parse(
  readFileSync(new URL('../../../fixtures/bessel_export.json', import.meta.url), 'utf8'),
) as {
  name: 'bessel_i0e' | 'bessel_i1e';
  dtype: string;
  shape: number[];
  text: string;
}[];

const FNS = { bessel_i0e: lax.besselI0e, bessel_i1e: lax.besselI1e };

describe('StableHLO export of the Bessel primitives', () => {
  for (const c of fx) {
    it(`${c.name} ${c.dtype}`, () => {
      const f = { [c.name]: (x: Value) => FNS[c.name](x) }[c.name];
      const text = jit(f)
        .lower(jnp.zeros(c.shape, { dtype: c.dtype }))
        .asText({ dialect: 'stablehlo' });
      expect(text).toBe(c.text);
    });
  }
});
