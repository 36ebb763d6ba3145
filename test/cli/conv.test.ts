/**
 * @file The convolution family from the command line: `tjax run` and `tjax grad` over NPY inputs
 * (fixtures/cli/conv_*.npy) with expressions in JAX's snake_case names, tuples and keyword
 * arguments, against JAX 0.10.2's results (fixtures/make_conv.py, section `cli`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIX, tjax } from './run-cli.js';

interface Enc {
  shape: number[];
  data: number[];
}
interface CliCase {
  cmd: 'run' | 'grad';
  expr: string;
  wrt: string[];
  mode: string | null;
  expected: Enc | Record<string, Enc>;
}

const cases = (
  JSON.parse(readFileSync(new URL('../../fixtures/conv.json', import.meta.url), 'utf8')) as { cli: CliCase[] }
).cli;

const flat = (x: unknown): number[] => (Array.isArray(x) ? x.flatMap(flat) : [Number(x)]);

function expectClose(got: unknown, want: Enc): void {
  const g = flat(got);
  expect(g.length).toBe(want.data.length);
  g.forEach((v, i) => {
    expect(Math.abs(v - want.data[i]), `element ${i}`).toBeLessThanOrEqual(
      2e-5 * Math.max(1, Math.abs(want.data[i])),
    );
  });
}

describe('convolutions from the command line', () => {
  for (const c of cases) {
    it(`tjax ${c.cmd} ${c.mode ?? ''} ${c.expr}`, () => {
      const args = ['x', 'k', 'a', 'v']
        .filter((n) => new RegExp(`\\b${n}\\b`).test(c.expr))
        .flatMap((n) => ['--arg', `${n}=${FIX}conv_${n}.npy`]);
      const extra = c.cmd === 'grad' ? ['--wrt', c.wrt.join(','), '--mode', c.mode!] : [];
      const r = tjax([c.cmd, c.expr, ...args, ...extra, '--format', 'json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      if ('data' in c.expected) expectClose(out, c.expected as Enc);
      else {
        const want = c.expected as Record<string, Enc>;
        expect(Object.keys(out).sort()).toEqual(Object.keys(want).sort());
        for (const [k, e] of Object.entries(want)) expectClose(out[k], e);
      }
    });
  }
  it('prints the README example (values as jax.grad gives them)', () => {
    const r = tjax([
      'grad',
      "sum(conv_general_dilated(x, k, (1, 1), 'SAME')**2)",
      '--wrt',
      'k',
      '--arg',
      'x=[[[[1.0,2.0,3.0],[4.0,5.0,6.0],[7.0,8.0,9.0]]]]',
      '--arg',
      'k=[[[[1.0,0.0],[0.0,-1.0]]]]',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('[[[[382.0, 128.0], [-48.0, -224.0]]]]\n');
  });
  it('reports a bad padding with JAX’s message and exit code 1', () => {
    const r = tjax([
      'run',
      "conv_general_dilated(x, k, (1, 1), 'MIDDLE')",
      '--arg',
      `x=${FIX}conv_x.npy`,
      '--arg',
      `k=${FIX}conv_k.npy`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "Unrecognized padding type: expected 'VALID', 'SAME', or 'SAME_LOWER', got MIDDLE.",
    );
  });
});
