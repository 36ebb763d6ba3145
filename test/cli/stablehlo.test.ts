/**
 * @file `tjax jit-inspect --stage stablehlo` end to end: the module JAX 0.10.2 printed for the same
 * program (fixtures/export.json and collectives.json; the CLI's function is `f`, so the module is
 * `@jit_f`), `--out f.mlir` written atomically, `--json` with the arguments @main keeps, and a
 * pmap on 4 CPU devices (TJAX_CPU_DEVICES=4).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tjax } from './run-cli.js';

interface Case {
  name: string;
  expr: string;
  args: { name: string; shape: number[]; dtype: string }[];
  text: string;
}
const load = (f: string) => JSON.parse(readFileSync(join(ROOT, 'fixtures', f), 'utf8')).cases as Case[];
const exportCases = load('export.json');
const collectiveCases = load('collectives.json');

const SHORT: Record<string, string> = { float32: 'f32', int32: 'i32', uint32: 'u32', bool: 'bool' };
/** `--arg x=f32[4,3]` for each argument (the module does not depend on the values). */
const shapeArgs = (c: Case) =>
  c.args.flatMap((a) => ['--arg', `${a.name}=${SHORT[a.dtype]}[${a.shape.join(',')}]`]);
const asF = (c: Case) => c.text.replace(`module @jit_${c.name} `, 'module @jit_f ');

describe('tjax jit-inspect --stage stablehlo', () => {
  for (const name of ['matmul', 'fori', 'mlp_grad', 'normal']) {
    it(`prints what JAX printed: ${name}`, () => {
      const c = exportCases.find((k) => k.name === name)!;
      const r = tjax(['jit-inspect', c.expr, ...shapeArgs(c), '--stage', 'stablehlo']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(asF(c));
    });
  }

  it('writes --out f.mlir atomically, and nothing when the program fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tjax-mlir-'));
    const c = exportCases.find((k) => k.name === 'matmul')!;
    const file = join(dir, 'model.mlir');
    const r = tjax(['jit-inspect', c.expr, ...shapeArgs(c), '--stage', 'stablehlo', '--out', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe(asF(c));
    const bad = join(dir, 'bad.mlir');
    const e = tjax([
      'jit-inspect',
      'x @ w',
      '--arg',
      'x=f32[2,3]',
      '--arg',
      'w=f32[4,2]',
      '--stage',
      'stablehlo',
      '--out',
      bad,
    ]);
    expect(e.code).toBe(1);
    expect(existsSync(bad)).toBe(false);
    expect(readdirSync(dir)).toEqual(['model.mlir']);
  });

  it('says in --json which arguments @main keeps', () => {
    const r = tjax([
      'jit-inspect',
      'x * 2',
      '--arg',
      'x=f32[3]',
      '--arg',
      'y=f32[2]',
      '--stage',
      'stablehlo',
      '--json',
    ]);
    const out = JSON.parse(r.stdout);
    expect(out.arguments).toEqual(['x']);
    expect(out.stablehlo).toMatch(/^module @jit_f attributes \{mhlo.num_partitions = 1 : i32/);
  });

  it('exports a pmap over 4 CPU devices with its collectives', () => {
    const c = collectiveCases.find((k) => k.name === 'pmap_psum')!;
    const r = tjax(['jit-inspect', c.expr, ...shapeArgs(c), '--stage', 'stablehlo'], {
      env: { TJAX_CPU_DEVICES: '4' },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(asF(c));
    expect(r.stdout).toContain('"stablehlo.all_reduce"');
    expect(r.stdout).toContain('sdy.manual_computation');
  });
});
