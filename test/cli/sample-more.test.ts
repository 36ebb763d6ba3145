/**
 * @file `tjax sample` for the samplers of src/engine/random/distributions.ts (rayleigh, triangular,
 * f, multinomial, double_sided_maxwell, ...), end to end on the built binary, against JAX 0.10.2's
 * draws for --seed 0 (fixtures/random2.json, `cli` section, from fixtures/make_random2.py).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT, tjax } from './run-cli.js';

const C = JSON.parse(readFileSync(`${ROOT}fixtures/random2.json`, 'utf8')).cli as Record<
  string,
  { data: number[] }
>;
const nums = (s: string) => s.trim().split(/\s+/).map(Number);
function close(stdout: string, want: number[]) {
  const got = nums(stdout);
  expect(got.length).toBe(want.length);
  for (const [i, g] of got.entries())
    expect(Math.abs(g - want[i])).toBeLessThanOrEqual(1e-6 * Math.abs(want[i]) + 2e-7);
}

describe('tjax sample: the later samplers', () => {
  it('rayleigh, triangular, f, double-sided-maxwell draw JAX numbers', () => {
    close(
      tjax(['sample', 'rayleigh', '--scale', '2', '--shape', '4', '--seed', '0']).stdout,
      C.rayleigh.data,
    );
    close(
      tjax(['sample', 'triangular', '--left', '0', '--mode', '1', '--right', '3', '--shape', '5']).stdout,
      C.triangular.data,
    );
    close(tjax(['sample', 'f', '--dfnum', '3', '--dfden', '7', '--shape', '3']).stdout, C.f.data);
    close(
      tjax(['sample', 'double-sided-maxwell', '--loc', '0', '--scale', '1', '--shape', '4']).stdout,
      C.double_sided_maxwell.data,
    );
  });
  it('multinomial counts; list names every new sampler', () => {
    const r = tjax(['sample', 'multinomial', '--n', '12', '--p', '[0.25,0.25,0.5]']);
    expect(r.code).toBe(0);
    expect(nums(r.stdout)).toEqual(C.multinomial.data);
    const l = tjax(['sample', 'list']).stdout;
    for (const n of [
      'rayleigh',
      'wald',
      'triangular',
      'maxwell',
      'double_sided_maxwell',
      'generalized_normal',
      'f ',
      'multinomial',
    ])
      expect(l).toContain(n);
  });
  it('a missing parameter is a usage error naming the flag', () => {
    const r = tjax(['sample', 'wald']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--mean');
  });
});
