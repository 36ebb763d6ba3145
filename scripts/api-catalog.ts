/**
 * @file JAX's public names (fixtures/api_names.json, made by fixtures/make_api_names.py from JAX
 * 0.10.2) matched against what tjax exports: the coverage test (test/engine/api-coverage.test.ts)
 * and the reference page generator (scripts/make_api_docs.ts) share this one reading.
 *
 * A JAX name counts as present when the tjax namespace that mirrors its module has it under the
 * same snake_case name or its camelCase spelling (`histogram_bin_edges` / `histogramBinEdges`); a
 * dotted name (`norm.pdf`) is looked up member by member; a lax `*_p` primitive is present when
 * tjax's primitive registry has a primitive of that name.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as engine from '../src/engine/index.js';

export type Kind = 'function' | 'class' | 'dtype' | 'constant' | 'primitive' | 'module';

export interface JaxParam {
  name: string;
  kind: 'POSITIONAL_ONLY' | 'POSITIONAL_OR_KEYWORD' | 'VAR_POSITIONAL' | 'KEYWORD_ONLY' | 'VAR_KEYWORD';
  default?: string;
}

export interface JaxName {
  name: string;
  kind: Kind;
  signature?: string;
  params?: JaxParam[];
}

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** JAX's namespaces, in the fixture's order, with the tjax object that mirrors each. */
export const NAMESPACES: readonly { jax: string; tjax: string; module: () => unknown }[] = [
  { jax: 'jax.numpy', tjax: 'numpy', module: () => engine.numpy },
  { jax: 'jax.numpy.linalg', tjax: 'numpy.linalg', module: () => engine.numpy.linalg },
  { jax: 'jax.numpy.fft', tjax: 'numpy.fft', module: () => (engine.numpy as Record<string, unknown>).fft },
  { jax: 'jax.lax', tjax: 'lax', module: () => engine.lax },
  { jax: 'jax.nn', tjax: 'nn', module: () => engine.nn },
  { jax: 'jax.nn.initializers', tjax: 'nn.initializers', module: () => engine.nn.initializers },
  { jax: 'jax.random', tjax: 'random', module: () => engine.random },
  { jax: 'jax.scipy.special', tjax: 'scipy.special', module: () => engine.scipy.special },
  { jax: 'jax.scipy.stats', tjax: 'scipy.stats', module: () => engine.scipy.stats },
];

export function loadJaxNames(): { jax: string; namespaces: Record<string, JaxName[]> } {
  return JSON.parse(readFileSync(join(root, 'fixtures', 'api_names.json'), 'utf8'));
}

/** JAX's snake_case name in camelCase, as the library spells it (`atleast_1d` -> `atleast1d`). */
export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function own(obj: unknown, key: string): unknown {
  if (obj === null || obj === undefined) return undefined;
  if (typeof obj !== 'object' && typeof obj !== 'function') return undefined;
  return key in (obj as object) ? (obj as Record<string, unknown>)[key] : undefined;
}

const registry = new Set(engine.primitives().map((p) => p.name));

/**
 * The tjax value for a JAX name, with the key it was found under, or null. A primitive
 * (`add_p`) resolves to the registry's name.
 */
export function resolve(module: unknown, entry: JaxName): { key: string; value: unknown } | null {
  if (entry.kind === 'primitive') {
    const prim = entry.name.replace(/_p$/, '');
    return registry.has(prim) ? { key: prim, value: prim } : null;
  }
  let obj: unknown = module;
  const keys: string[] = [];
  for (const part of entry.name.split('.')) {
    let key = part;
    let v = own(obj, key);
    if (v === undefined) {
      key = camelCase(part);
      v = own(obj, key);
    }
    if (v === undefined) return null;
    keys.push(key);
    obj = v;
  }
  return { key: keys.join('.'), value: obj };
}

export interface Coverage {
  namespace: string;
  /** Names other than primitives: functions, classes, dtypes, constants. */
  total: number;
  have: number;
  missing: string[];
  /** The functions among them (what "x% of jax.numpy's functions" counts). */
  functions: { total: number; have: number };
  primitives: { total: number; have: number; missing: string[] };
}

export function coverage(): Coverage[] {
  const { namespaces } = loadJaxNames();
  return NAMESPACES.map(({ jax, module }) => {
    const mod = module();
    const entries = namespaces[jax] ?? [];
    const api = entries.filter((e) => e.kind !== 'primitive' && e.kind !== 'module');
    const prims = entries.filter((e) => e.kind === 'primitive');
    const missing = api.filter((e) => !resolve(mod, e)).map((e) => e.name);
    const pmissing = prims.filter((e) => !resolve(mod, e)).map((e) => e.name);
    const fns = api.filter((e) => e.kind === 'function');
    const fnHave = fns.filter((e) => !missing.includes(e.name)).length;
    return {
      namespace: jax,
      total: api.length,
      have: api.length - missing.length,
      missing,
      functions: { total: fns.length, have: fnHave },
      primitives: { total: prims.length, have: prims.length - pmissing.length, missing: pmissing },
    };
  });
}

export function percent(have: number, total: number): number {
  return total === 0 ? 100 : (100 * have) / total;
}

/** The coverage table as text: one row per namespace, missing names listed after it. */
export function coverageTable(rows: readonly Coverage[]): string {
  const frac = (have: number, total: number) =>
    `${`${have}/${total}`.padStart(7)} ${percent(have, total).toFixed(1).padStart(5)}%`;
  const lines = ['namespace              all names        functions        primitives'];
  for (const r of rows) {
    const p = r.primitives.total ? frac(r.primitives.have, r.primitives.total) : '';
    lines.push(
      `${r.namespace.padEnd(20)} ${frac(r.have, r.total)}   ${frac(r.functions.have, r.functions.total)}   ${p}`.trimEnd(),
    );
  }
  return lines.join('\n');
}
