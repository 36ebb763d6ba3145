/**
 * @file Printing complex values as JAX and NumPy do: jax.Array's repr (NumPy's
 * ComplexFloatingFormat: the real parts and the sign-forced imaginary parts formatted as two
 * float columns, `j` before the padding), summarised arrays, complex128 under x64, and NumPy's
 * str() of complex scalars (the CLI's text and CSV output).
 *
 * Expected values: fixtures/complex/print.json, made by fixtures/make_complex.py (repr of JAX
 * 0.10.2 arrays, str of NumPy complex64/complex128 scalars).
 */
import { describe, expect, it } from 'vitest';
import type { DTypeName } from '../../../src/engine/core/dtype.js';
import { arrayRepr, formatElement } from '../../../src/engine/core/print/array2string.js';
import { complex, numpy as jnp } from '../../../src/engine/index.js';
import { fixture, flat } from './helpers.js';

const cases = fixture('print.json');

function data(dtype: string, values: number[]) {
  return dtype === 'complex128' ? new Float64Array(values) : new Float32Array(values);
}

describe('complex repr', () => {
  for (const c of cases.arrays) {
    it(c.src, () => {
      const a = { dtype: c.dtype as DTypeName, shape: c.shape, data: data(c.dtype, flat(c.value)) };
      expect(arrayRepr(a)).toBe(c.repr);
    });
  }
  it('String(x) of an engine array, weak Complex scalars included', () => {
    expect(String(jnp.array([complex(1, 2), complex(3.5, -1), 0.1]))).toBe(cases.arrays[0].repr);
    expect(String(jnp.asarray(complex(2.5, -1)).astype('complex64'))).toBe('Array(2.5-1.j, dtype=complex64)');
    expect(String(jnp.multiply(complex(1, 2), 1))).toBe('Array(1.+2.j, dtype=complex64, weak_type=True)');
  });
});

describe('complex scalar str', () => {
  for (const s of cases.scalars) {
    it(`${s.dtype} ${s.str}`, () => {
      const a = { dtype: s.dtype as DTypeName, shape: [], data: data(s.dtype, flat(s.value)) };
      expect(formatElement(a, 0)).toBe(s.str);
    });
  }
  it('Complex host scalars print as Python complex', async () => {
    expect(String(complex(1, 2))).toBe('(1+2j)');
    expect(String(complex(0, -1.5))).toBe('-1.5j');
    expect(String(complex(-0, 1))).toBe('(-0+1j)');
    expect(JSON.stringify(complex(1, -2))).toBe('[1,-2]');
    expect(String(await jnp.array([complex(0, 2)]).item())).toBe('2j');
    expect(() => Number(complex(1, 1))).toThrow("can't convert complex to float");
  });
});
