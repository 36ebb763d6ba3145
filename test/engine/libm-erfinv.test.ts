/**
 * @file The libm's float32 erf_inv (src/engine/compile/libm/erfinv.ts, what WebGPU runs) against
 * the CPU's (runtime.ts erfinv32: XLA's algorithm on float64 log1p and fused multiply-adds): the
 * same bits for 2^21 inputs (uniform draws' range, small values down to 2^-190, and every float32
 * from 1 - 2^-24 down to 1 - 2^-5 of both signs), and the special values. The CPU renders the
 * libm's expression for this test only (LIBM_UNARY extended for the duration), through its
 * JavaScript or WebAssembly SIMD kernels, as WebGPU renders it in WGSL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erfinv32 } from '../../src/engine/backends/cpu/runtime.js';
import { erfInv32 } from '../../src/engine/compile/libm/erfinv.js';
import { LIBM_UNARY } from '../../src/engine/compile/libm/index.js';
import type { Value } from '../../src/engine/index.js';
import { jit, numpy as jnp, lax } from '../../src/engine/index.js';

const table = LIBM_UNARY as Record<string, unknown>;

function inputs(): Float32Array {
  const n = 1 << 21;
  const x = new Float32Array(n);
  let s = 12345;
  const rnd = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  for (let k = 0; k < n; k++) {
    if (k % 4 === 0) x[k] = Math.fround(1 - (k >> 2) * 2 ** -24) * (k & 8 ? -1 : 1);
    else x[k] = Math.fround((rnd() * 2 - 1) * (k % 4 === 1 ? 1 : rnd() ** 8));
  }
  x.set([0, -0, 1, -1, 1.5, Number.NaN, -2, 1e-30, Number.POSITIVE_INFINITY], 0);
  return x;
}

describe("the libm's float32 erf_inv", () => {
  beforeAll(() => {
    table.erf_inv = erfInv32;
  });
  afterAll(() => {
    delete table.erf_inv;
  });

  it("gives the CPU's float64-lane bits", () => {
    const x = inputs();
    // A program of its own, so that no kernel compiled without the libm's erf_inv is reused.
    const f = jit((v: Value) => lax.erfInv(lax.mul(v, 1)));
    const y = (f(jnp.array(x)) as unknown as { dataSync(): Float32Array }).dataSync();
    const bad: string[] = [];
    for (let k = 0; k < x.length; k++) {
      const want = Math.fround(erfinv32(x[k]));
      if (!(Object.is(want, y[k]) || (Number.isNaN(want) && Number.isNaN(y[k]))))
        bad.push(`erf_inv(${x[k]}): cpu ${want}, libm ${y[k]}`);
    }
    expect(bad.slice(0, 10), `${bad.length} of ${x.length} differ`).toEqual([]);
    expect([...y.slice(0, 9)]).toEqual([
      0,
      -0,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
      Number.NaN,
      Number.NaN,
      Math.fround(erfinv32(1e-30)),
      Number.NaN,
    ]);
  });
});
