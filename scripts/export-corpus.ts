/**
 * @file Writes the StableHLO export corpus for the JAX check (scripts/check_stablehlo.py): for each
 * program of fixtures/export.json (and fixtures/collectives.json's multi-device ones), tjax's
 * exported module, its inputs and tjax's own results.
 *
 *   npx tsx scripts/export-corpus.ts OUTDIR
 *
 * OUTDIR/manifest.json lists the cases; each has NAME.mlir, NAME.inputs.npz (arg0, arg1, ... in
 * @main's order: pruned arguments left out) and NAME.tjax.npz (out0, out1, ...).
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as t from '../src/engine/index.js';
import { evaluateExpression } from '../src/expr/evaluate.js';
import { parseExpression } from '../src/expr/index.js';
import type { HostArray } from '../src/format/host-array.js';
import { writeNpz } from '../src/format/npz.js';

export interface ArgSpec {
  name: string;
  shape: number[];
  dtype: string;
  data: unknown[];
}
export interface Case {
  name: string;
  expr: string;
  args: ArgSpec[];
  /** CPU devices the program maps over (pmap and shard_map programs). */
  devices?: number;
}

const root = join(import.meta.dirname, '..');

function loadCases(file: string): Case[] {
  const path = join(root, 'fixtures', file);
  if (!existsSync(path)) return [];
  return (JSON.parse(readFileSync(path, 'utf8')) as { cases: Case[] }).cases;
}

/** A fixture argument as an array (complex elements are [re, im] pairs; non-finite floats strings). */
export function toArray(a: ArgSpec): t.Array {
  const num = (v: unknown) => (typeof v === 'string' ? Number(v) : v);
  const data = a.data.map((v) => (Array.isArray(v) ? t.complex(Number(num(v[0])), Number(num(v[1]))) : num(v)));
  return t.numpy.array(data, { dtype: a.dtype }).reshape(a.shape) as t.Array;
}

async function host(x: unknown): Promise<HostArray> {
  const a = x instanceof t.Array ? x : (t.numpy.asarray(x as number) as t.Array);
  return { dtype: a.dtype.name, shape: [...a.shape], data: await a.data() } as HostArray;
}

/** The case's expression as a function of its arguments, named after the case (the module is jit_<name>). */
export function caseFunction(c: Case): (...xs: unknown[]) => unknown {
  const ast = parseExpression(c.expr);
  const f = (...xs: unknown[]) => evaluateExpression(c.expr, ast, new Map(c.args.map((a, i) => [a.name, xs[i]])));
  Object.defineProperty(f, 'name', { value: c.name });
  return f;
}

export async function writeCorpus(out: string, cases: Case[]): Promise<void> {
  mkdirSync(out, { recursive: true });
  const manifest: unknown[] = [];
  for (const c of cases) {
    const f = caseFunction(c);
    const args = c.args.map(toArray);
    const jitted = t.jit(f);
    const exp = jitted.lower(...args).export();
    const results = t.tree.leaves(jitted(...args));
    writeFileSync(join(out, `${c.name}.mlir`), exp.text);
    const inputs = new Map<string, HostArray>();
    for (const [k, i] of exp.keptArgs.entries()) inputs.set(`arg${k}`, await host(args[i]));
    writeFileSync(join(out, `${c.name}.inputs.npz`), writeNpz(inputs));
    const outs = new Map<string, HostArray>();
    for (const [k, r] of results.entries()) outs.set(`out${k}`, await host(r));
    writeFileSync(join(out, `${c.name}.tjax.npz`), writeNpz(outs));
    manifest.push({ name: c.name, expr: c.expr, devices: c.devices ?? 1, outputs: results.length });
  }
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
}

if (process.argv[1]?.endsWith('export-corpus.ts')) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: npx tsx scripts/export-corpus.ts OUTDIR\n');
    process.exit(2);
  }
  const cases = [
    ...loadCases('export.json'),
    ...loadCases('complex_export.json'),
    ...loadCases('export_special2.json'),
    ...loadCases('collectives.json').filter((c) => c.devices),
  ];
  writeCorpus(out, cases).then(() => process.stdout.write(`wrote ${cases.length} exported programs to ${out}\n`));
}
