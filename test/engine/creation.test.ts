/**
 * @file Creation functions take NumPy's keyword arguments as a trailing options object after any
 * number of positional arguments (jnp.arange(5, { dtype }) as np.arange(5, dtype=...)).
 */
import { describe, expect, it } from 'vitest';
import { numpy as jnp } from '../../src/engine/index.js';

describe('arange options object', () => {
  it('follows stop, start/stop, or start/stop/step', async () => {
    const a = jnp.arange(4, { dtype: 'float32' });
    expect([a.dtype.name, await a.tolist()]).toEqual(['float32', [0, 1, 2, 3]]);
    const b = jnp.arange(1, 4, { dtype: 'int16' });
    expect([b.dtype.name, await b.tolist()]).toEqual(['int16', [1, 2, 3]]);
    const c = jnp.arange(0, 1, 0.25, { dtype: 'float32' });
    expect([c.dtype.name, await c.tolist()]).toEqual(['float32', [0, 0.25, 0.5, 0.75]]);
    const d = jnp.arange(3, null, null, { dtype: 'uint8' });
    expect([d.dtype.name, await d.tolist()]).toEqual(['uint8', [0, 1, 2]]);
  });
});
