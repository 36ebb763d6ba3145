/**
 * @file The CLI's jitted program (src/cli/inputs.ts jitProgram) puts back the non-array leaves of
 * the trace that a call hits, not those of the last trace: a program returning `x.dtype.name`
 * called on float32, then int32, then float32 again prints float32 the third time.
 */
import { describe, expect, it } from 'vitest';
import { jitProgram } from '../../src/cli/inputs.js';
import { numpy as jnp, type Value } from '../../src/engine/index.js';

describe('jitProgram', () => {
  it('returns the static leaves of the cache entry the call hits', () => {
    const p = jitProgram((x: unknown) => [(x as Value).dtype.name, (x as Value).mul(2)]);
    const f32 = jnp.array([1, 2], { dtype: 'float32' });
    const i32 = jnp.array([1, 2], { dtype: 'int32' });
    expect((p.call(f32) as unknown[])[0]).toBe('float32');
    expect((p.call(i32) as unknown[])[0]).toBe('int32');
    expect((p.call(f32) as unknown[])[0]).toBe('float32');
    expect(String((p.call(f32) as unknown[])[1])).toBe('Array([2., 4.], dtype=float32)');
  });
});
