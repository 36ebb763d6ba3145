/**
 * @file `tjax sample` end to end (the built binary): draws for fixed seeds and keys against JAX
 * 0.10.2 (fixtures/random.json, `cli` section, from fixtures/make_random.py), both counter
 * layouts, split keys, bits, NPY/JSON output, --stats, and the usage errors (exit code 2).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNpy } from '../../src/format/npy.js';
import { ROOT, tjax } from './run-cli.js';

const C = JSON.parse(readFileSync(`${ROOT}fixtures/random.json`, 'utf8')).cli as Record<string, number[]>;

const nums = (s: string) => s.trim().split(/\s+/).map(Number);

/**
 * Within a few float32 ulps of JAX's value (XLA's log1p/log/tan differ from tjax's by an ulp at
 * most; see test/engine/random/samplers.test.ts).
 */
function close(got: number[], want: number[]) {
  expect(got.length).toBe(want.length);
  for (const [i, g] of got.entries())
    expect(Math.abs(g - want[i])).toBeLessThanOrEqual(4e-7 * Math.abs(want[i]) + 2e-7);
}
const expectF32 = (stdout: string, want: number[]) => close(nums(stdout), want);

describe('tjax sample: JAX draws', () => {
  it('normal --shape 3 --seed 0, one value per line', () => {
    const r = tjax(['sample', 'normal', '--shape', '3', '--seed', '0']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').length).toBe(4);
    expectF32(r.stdout, C.normal_seed0);
  });
  it('uniform with minval/maxval', () => {
    const r = tjax(['sample', 'uniform', '--shape', '5', '--seed', '1', '--minval', '2', '--maxval', '4']);
    expectF32(r.stdout, C.uniform_seed1_range);
  });
  it('truncated-normal (dashes for underscores), poisson, randint as a 2-D table', () => {
    const t = tjax(['sample', 'truncated-normal', '--lower', '-1', '--upper', '1', '--shape', '4']);
    expectF32(t.stdout, C.truncated_normal_seed0);
    const p = tjax(['sample', 'poisson', '--lam', '4', '--shape', '6', '--seed', '3']);
    expect(nums(p.stdout)).toEqual(C.poisson_seed3);
    const ri = tjax(['sample', 'randint', '--minval', '0', '--maxval', '10', '--shape', '2,3']);
    expect(ri.stdout).toBe(
      `${C.randint_seed0.slice(0, 3).join(' ')}\n${C.randint_seed0.slice(3).join(' ')}\n`,
    );
  });
  it('categorical with inline JSON logits, binomial', () => {
    const c = tjax(['sample', 'categorical', '--logits', '[0.1,1,2]', '--shape', '6']);
    expect(nums(c.stdout)).toEqual(C.categorical_seed0);
    const b = tjax(['sample', 'binomial', '--n', '20', '--p', '0.3', '--shape', '5']);
    expect(nums(b.stdout)).toEqual(C.binomial_seed0);
  });
  it('bits --dtype uint8, split --num 4 as rows of two uint32, --key', () => {
    expect(nums(tjax(['sample', 'bits', '--dtype', 'uint8', '--shape', '4']).stdout)).toEqual(
      C.bits_u8_seed0,
    );
    const s = tjax(['sample', 'split', '--num', '4', '--seed', '0']);
    expect(s.stdout).toBe(`${(C.split_seed0 as unknown as number[][]).map((r) => r.join(' ')).join('\n')}\n`);
    const k = tjax(['sample', 'normal', '--key', '1797259609,2579123966', '--shape', '3']);
    expectF32(k.stdout, C.normal_key);
  });
  it('--legacy-prng uses the non-partitionable layout', () => {
    expectF32(tjax(['sample', 'normal', '--shape', '3', '--legacy-prng']).stdout, C.normal_seed0_legacy);
    const s = tjax(['sample', 'split', '--legacy-prng']);
    expect(s.stdout).toBe(
      `${(C.split_seed0_legacy as unknown as number[][]).map((r) => r.join(' ')).join('\n')}\n`,
    );
  });
  it('writes NPY by --out and JSON by --json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tjax-sample-'));
    const out = join(dir, 'n.npy');
    expect(tjax(['sample', 'normal', '--shape', '3', '--out', out]).code).toBe(0);
    const h = readNpy(new Uint8Array(readFileSync(out)), out);
    expect(h.dtype).toBe('float32');
    close(Array.from(h.data as Float32Array), C.normal_seed0);
    close(JSON.parse(tjax(['sample', 'normal', '--shape', '3', '--json']).stdout), C.normal_seed0);
  });
});

describe('tjax sample --stats', () => {
  it('prints count, mean, std, quantiles and a histogram', () => {
    const r = tjax(['sample', 'normal', '--shape', '20000', '--stats']);
    expect(r.code).toBe(0);
    const get = (k: string) => Number(new RegExp(`^${k}\\s+(\\S+)`, 'm').exec(r.stdout)![1]);
    expect(get('count')).toBe(20000);
    expect(Math.abs(get('mean'))).toBeLessThan(0.03);
    expect(Math.abs(get('std') - 1)).toBeLessThan(0.03);
    expect(Math.abs(get('50%'))).toBeLessThan(0.03);
    expect(Math.abs(get('95%') - 1.645)).toBeLessThan(0.05);
    expect(get('min')).toBeLessThan(get('5%'));
    const bars = r.stdout.split('\n').filter((l) => l.includes(' | '));
    expect(bars.length).toBe(16);
    expect(bars.some((l) => /#{40}$/.test(l))).toBe(true);
  });
  it('integer draws get one bar per value; --json gives the numbers', () => {
    const r = tjax(['sample', 'poisson', '--lam', '2', '--shape', '500', '--stats', '--json']);
    const st = JSON.parse(r.stdout);
    expect(st.count).toBe(500);
    expect(st.histogram.counts.reduce((a: number, b: number) => a + b, 0)).toBe(500);
    expect(st.histogram.edges[0]).toBe(st.min);
    expect(Object.keys(st.quantiles)).toEqual(['5%', '25%', '50%', '75%', '95%']);
  });
});

describe('tjax sample errors', () => {
  it('unknown distribution suggests the nearest', () => {
    const r = tjax(['sample', 'normall']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: unknown distribution 'normall'; did you mean 'normal'? ('tjax sample list' shows them all)\n",
    );
    expect(tjax(['sample', 'trunc-normal']).stderr).toContain("did you mean 'truncated_normal'");
  });
  it('missing required parameter names the flag', () => {
    const r = tjax(['sample', 'gamma', '--shape', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: gamma needs --a\n');
    expect(tjax(['sample', 'beta', '--a', '1']).stderr).toBe(
      'error: beta needs --b (its parameters: --a --b)\n',
    );
  });
  it('flags that do not apply, bad shapes, keys and dtypes are usage errors', () => {
    const cases: [string[], string][] = [
      [['normal', '--lam', '3'], '--lam does not apply to normal'],
      [['normal', '--shape', '3,x'], '--shape expects'],
      [['normal', '--key', '1'], '--key expects two uint32 words'],
      [['normal', '--dtype', 'int32'], '--dtype of normal must be a float dtype'],
      [['bernoulli', '--dtype', 'float32'], 'bernoulli takes no --dtype'],
      [['normal', '--seed', '1.5'], '--seed expects an integer'],
    ];
    for (const [args, msg] of cases) {
      const r = tjax(['sample', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(msg);
    }
  });
  it('engine errors (JAX texts) exit 1', () => {
    const r = tjax(['sample', 'gamma', '--a', '[1,2]', '--shape', '3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Incompatible shapes for broadcasting');
  });
  it('list shows every distribution with its flags', () => {
    const r = tjax(['sample', 'list']);
    expect(r.stdout).toContain('poisson');
    expect(r.stdout).toContain('--lam');
  });
});
