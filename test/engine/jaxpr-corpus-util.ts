/**
 * @file The jaxpr corpus (fixtures/jaxpr_corpus.json, made by fixtures/make_jaxpr_corpus.py with
 * JAX 0.10.2) and how tjax's text for an entry is made: the entry's expression goes through the
 * expression language and `makeJaxpr` on abstract inputs, as `tjax jit-inspect EXPR --arg
 * x=f32[3]` does, so the comparison is of what users see. Used by jaxpr-corpus.test.ts; run it
 * directly for a full report: `npx tsx test/engine/jaxpr-corpus-util.ts [substring]`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAbstract } from '../../src/cli/sources.js';
import { makeJaxpr } from '../../src/engine/index.js';
import { evaluateExpression } from '../../src/expr/evaluate.js';
import { parseExpression } from '../../src/expr/index.js';

export interface CorpusEntry {
  id: string;
  variant: 'f32' | 'i32' | 'grad' | 'vmap';
  python: string;
  expr: string;
  args: [string, string][];
  jaxpr: string;
  /** Why tjax deliberately prints a different program (docs/ARCHITECTURE.md lists these). */
  expected_difference?: string;
}

export interface Outcome {
  entry: CorpusEntry;
  ok: boolean;
  got?: string;
  error?: string;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function loadCorpus(): CorpusEntry[] {
  const fx = JSON.parse(readFileSync(join(root, 'fixtures', 'jaxpr_corpus.json'), 'utf8')) as {
    entries: CorpusEntry[];
  };
  return fx.entries;
}

/** tjax's printed jaxpr for an entry, as `jit-inspect` makes it. */
export function tjaxJaxpr(e: CorpusEntry): string {
  const ast = parseExpression(e.expr);
  const names = e.args.map(([n]) => n);
  const values = e.args.map(([n, spec]) => {
    const aval = parseAbstract(spec);
    if (!aval) throw new Error(`bad abstract input ${n}=${spec}`);
    return aval;
  });
  const f = (...xs: unknown[]) => evaluateExpression(e.expr, ast, new Map(names.map((n, i) => [n, xs[i]])));
  return String(makeJaxpr(f)(...values));
}

export function check(e: CorpusEntry): Outcome {
  try {
    const got = tjaxJaxpr(e);
    return { entry: e, ok: got === e.jaxpr, got };
  } catch (err) {
    return { entry: e, ok: false, error: err instanceof Error ? err.message.split('\n')[0] : String(err) };
  }
}

/** The first line where two texts differ, with its neighbours, for a readable mismatch list. */
export function firstDifference(want: string, got: string): string {
  const a = want.split('\n');
  const b = got.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return `line ${i + 1}:\n    jax:  ${a[i] ?? '<end>'}\n    tjax: ${b[i] ?? '<end>'}`;
}

export function describeMismatch(o: Outcome, full = false): string {
  const head = `${o.entry.id}\n  ${o.entry.expr}`;
  if (o.error !== undefined) return `${head}\n  error: ${o.error}`;
  if (full) return `${head}\n--- jax\n${o.entry.jaxpr}\n--- tjax\n${o.got}`;
  return `${head}\n  ${firstDifference(o.entry.jaxpr, o.got ?? '')}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const filter = process.argv[2] ?? '';
  const outcomes = loadCorpus()
    .filter((e) => e.id.includes(filter))
    .map(check);
  const bad = outcomes.filter((o) => !o.ok);
  for (const o of bad) console.log(`${describeMismatch(o, filter !== '')}\n`);
  const n = outcomes.length;
  console.log(`${n - bad.length}/${n} match (${((100 * (n - bad.length)) / n).toFixed(1)}%)`);
}
