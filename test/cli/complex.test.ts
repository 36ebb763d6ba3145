/**
 * @file Complex numbers from the command line: Python's imaginary literals and complex() in
 * expressions, text/CSV output as NumPy's complex str, JSON as [re, im] pairs, NPY as `<c8`
 * (byte-identical to numpy.save), complex NPY inputs (complex128 narrowed without --x64), FFT and
 * eigenvalues, and `tjax grad` of a real function of complex data (JAX's convention).
 *
 * Expected bytes: fixtures/complex/npy/*.npy (numpy.save, fixtures/make_complex.py).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT, tjax } from './run-cli.js';

const npy = (name: string) => `${ROOT}fixtures/complex/npy/${name}.npy`;

describe('tjax and complex numbers', () => {
  it('evaluates imaginary literals and complex(), printing NumPy complex str', () => {
    expect(tjax(['run', 'x * 1j', '--arg', 'x=[1,2]']).stdout).toBe('1j\n2j\n');
    expect(tjax(['run', 'complex(1.5, 2) * 2']).stdout).toBe('(3+4j)\n');
    expect(tjax(['run', 'exp(1j * pi)']).stdout).toBe('(-1-8.742278e-08j)\n');
    expect(tjax(['run', '(3+4j).imag']).stdout).toBe('4.0\n');
    expect(tjax(['run', 'abs(3+4j)']).stdout).toBe('5.0\n');
  });
  it('writes 2-D text and CSV rows, JSON pairs and NPY bytes', () => {
    const arg = ['--arg', 'x=[[1,2],[3,4]]'];
    expect(tjax(['run', 'x * (1-1j)', ...arg]).stdout).toBe('(1-1j) (2-2j)\n(3-3j) (4-4j)\n');
    expect(tjax(['run', 'x * (1-1j)', ...arg, '--format', 'csv']).stdout).toBe(
      '(1-1j),(2-2j)\n(3-3j),(4-4j)\n',
    );
    expect(tjax(['run', 'x * 1j', ...arg, '--format', 'json']).stdout).toBe(
      '[[[0.0, 1.0], [0.0, 2.0]], [[0.0, 3.0], [0.0, 4.0]]]\n',
    );
    // The same array numpy.save wrote: re-emitted byte for byte.
    const r = tjax(['run', 'z', '--arg', `z=${npy('c8_le')}`, '--format', 'npy']);
    expect(r.stdoutBytes.equals(readFileSync(npy('c8_le')))).toBe(true);
  });
  it('reads complex NPY inputs, narrowing complex128 without --x64', () => {
    const r = tjax(['run', 'z', '--arg', `z=${npy('c16_be')}`]);
    expect(r.stdout).toBe('1j (1+1.3333334j) (2+1.6666666j)\n(3+2j) (4+2.3333333j) (5+2.6666667j)\n');
    expect(r.stderr).toContain('complex128 data narrowed to complex64');
    const wide = tjax(['run', 'z.dtype.name', '--arg', `z=${npy('c16_be')}`, '--x64']);
    expect(wide.stdout).toContain('complex128');
  });
  it('computes FFTs and eigenvalues', () => {
    expect(tjax(['run', 'jnp.fft.rfft(x)', '--arg', 'x=[1,2,3,4]']).stdout).toBe(
      '(10+0j)\n(-2+2j)\n(-2+0j)\n',
    );
    expect(tjax(['run', 'linalg.eigvals(m)', '--arg', 'm=[[0,1],[-1,0]]']).stdout).toBe('1j\n-1j\n');
  });
  it('differentiates real functions of complex data with JAX convention, and refuses complex outputs', () => {
    expect(tjax(['grad', 'sum(abs(z)**2)', '--arg', `z=${npy('c8_0d')}`]).stdout).toBe('(3+4j)\n');
    const bad = tjax(['grad', 'sum(z)', '--arg', `z=${npy('c8_0d')}`]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('grad requires real-valued outputs');
  });
});
