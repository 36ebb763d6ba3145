/**
 * @file guard.ts, which WebGPU's libm goes through (LIBM_UNARY_F32_ONLY), checked without a GPU:
 * every float32 + - * / an expansion adds is a select's value arm, on one condition (the input's
 * bits equal to a NaN payload), whose other arm is the input, not a constant; the input's own
 * expression is left alone; and the guards change no value: the CPU renders the guarded
 * expansions (LIBM_UNARY swapped for the duration) to the unguarded ones' bits, the guard's NaN
 * payload itself included. test/engine/webgpu/libm.test.ts checks that WGSL then gives these bits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, constant, load, type SExpr, variable, walk } from '../../src/engine/compile/kir.js';
import { guarded } from '../../src/engine/compile/libm/guard.js';
import { LIBM_UNARY, LIBM_UNARY_F32_ONLY } from '../../src/engine/compile/libm/index.js';
import { float32 } from '../../src/engine/core/dtype.js';
import type { Value } from '../../src/engine/index.js';
import { jit, numpy as jnp, lax } from '../../src/engine/index.js';
import { LIBM_FUNCTIONS as FUNCTIONS } from './libm-functions.js';

const table = LIBM_UNARY as Record<string, unknown>;

const GUARD_NAN = new Float32Array(new Int32Array([0x7fa5a5a5]).buffer)[0];

/** Both signs across the float32 range, subnormals and specials, and the guard's NaN payload. */
function inputs(): Float32Array {
  const n = 1 << 16;
  const u = new Int32Array(n);
  for (let k = 0; k < n; k++) u[k] = Math.floor((k * 0xffffffff) / n) | 0;
  const x = new Float32Array(u.buffer);
  x.set([0, -0, 1, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, GUARD_NAN, 1e-40]);
  return x;
}

describe("the libm's guards for WGSL", () => {
  it('guard every float32 operation the expansion adds, and nothing of its input', () => {
    // The input's own sum must stay as it is: guarding it is its producer's business.
    const x = bin('add', load(0, variable('i0'), float32), constant(0.25, float32));
    for (const [name, fn] of Object.entries(LIBM_UNARY)) {
      const e = guarded(fn)(x);
      const guardedOps = new Set<number>();
      let guards = 0;
      walk(e, (n: SExpr) => {
        if (n.k === 'sel' && n.a === x && n.b.k === 'bin') {
          guardedOps.add(n.b.id);
          guards++;
        }
      });
      expect(guards, name).toBeGreaterThan(10);
      const bare: string[] = [];
      walk(e, (n: SExpr) => {
        if (n.k === 'bin' && n.dt === float32 && ['add', 'sub', 'mul', 'div'].includes(n.op))
          if (n !== x && !guardedOps.has(n.id)) bare.push(`${n.op} #${n.id}`);
      });
      expect(bare, name).toEqual([]);
    }
  });

  describe('change no value (CPU renderers)', () => {
    const x = inputs();
    const want = new Map<string, Float32Array>();
    beforeAll(() => {
      for (const [name, fn] of FUNCTIONS)
        want.set(name, (jit(fn)(jnp.array(x)) as unknown as { dataSync(): Float32Array }).dataSync());
      for (const name of [...Object.keys(LIBM_UNARY), 'pow']) table[name] = LIBM_UNARY_F32_ONLY[name];
    });
    afterAll(() => {
      for (const [name, fn] of Object.entries(original)) table[name] = fn;
      delete table.pow;
    });
    const original = { ...LIBM_UNARY };

    for (const [name, fn] of FUNCTIONS) {
      it(name, () => {
        // A program of its own (the extra multiply), so that no kernel compiled unguarded is reused.
        const y = (
          jit((v: Value) => fn(lax.mul(v, 1)))(jnp.array(x)) as unknown as { dataSync(): Float32Array }
        ).dataSync();
        const ref = want.get(name) as Float32Array;
        const bad: string[] = [];
        for (let k = 0; k < x.length; k++)
          if (!(Object.is(ref[k], y[k]) || (Number.isNaN(ref[k]) && Number.isNaN(y[k]))))
            bad.push(`${name}(${x[k]}): unguarded ${ref[k]}, guarded ${y[k]}`);
        expect(bad.slice(0, 10), `${bad.length} of ${x.length} differ`).toEqual([]);
        // The guard's payload takes the input's arm: NaN, as the function of a NaN is.
        expect(Number.isNaN(y[7]), name).toBe(true);
      });
    }
  });
});
