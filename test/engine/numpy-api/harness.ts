/**
 * @file The runner of the jax.numpy family tests: reads fixtures/jnp_<family>.json (written by
 * fixtures/make_jnp_<family>.py through fixtures/jnp_cases.py from JAX 0.10.2) and checks each case
 * five ways: the library call eagerly, the same call under `jit`, the expression language
 * (`percentile(a0, a1, axis=1, method='nearest')`, so JAX's snake_case name and keywords reach
 * it), `grad` of a weighted sum where the fixture has one, and `vmap` over a batch of two where the
 * fixture has one; plus the printed jaxpr where the fixture has one and the test lists it.
 *
 * The library convention: JAX's required parameters are positional, its optional ones a trailing
 * options object with camelCase keys; `call` in a family's table overrides that where a function
 * takes something else (a function argument, a variadic list).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { h2f } from '../../../src/engine/backends/cpu/runtime.js';
import { grad, jit, numpy as jnp, makeJaxpr, type Value, vmap } from '../../../src/engine/index.js';
import { convertElementType } from '../../../src/engine/lax/convert.js';
import { evaluateExpression } from '../../../src/expr/evaluate.js';
import { parseExpression } from '../../../src/expr/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface Described {
  dtype: string;
  shape: number[];
  data: (number | string | boolean)[];
  weak?: boolean;
}
type Json = unknown;

export interface Case {
  name: string;
  fn: string;
  args: Json[];
  kw: Record<string, Json>;
  out?: Json;
  error?: { type: string; message: string };
  grad?: { argnums: number | number[]; w: Described | Described[]; out: Json };
  vmap?: { args: Described[]; in_axes: number[]; out: Json };
  jaxpr?: string;
}

export function loadCases(family: string): Case[] {
  return JSON.parse(readFileSync(join(root, 'fixtures', `jnp_${family}.json`), 'utf8')).cases;
}

const isDescribed = (v: unknown): v is Described =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && 'dtype' in v && 'shape' in v && 'data' in v;

function num(v: number | string | boolean): number {
  if (v === 'nan') return Number.NaN;
  if (v === 'inf') return Number.POSITIVE_INFINITY;
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(v);
}

/** A tjax array with the described dtype, shape, values and weak type. */
export function build(d: Described): Value {
  const flat = d.dtype === 'bool' ? d.data.map(Boolean) : d.data.map(num);
  let x = jnp.reshape(jnp.array(flat, { dtype: d.dtype }), d.shape);
  if (d.weak) x = convertElementType(x, d.dtype, true);
  return x;
}

/** A fixture argument as tjax takes it: arrays built, lists element by element. */
export function decode(v: Json): unknown {
  if (isDescribed(v)) return build(v);
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
  // A Python float inf or nan passed as a plain argument (ord=np.inf).
  if (v === 'inf' || v === '-inf' || v === 'nan') return num(v);
  return v;
}

export const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

export type Call = (args: unknown[], kw: Record<string, unknown>) => unknown;

/** The library call for a fixture's `fn`: positional args, then the camel-cased options if any. */
export function defaultCall(fn: string): Call {
  return (args, kw) => {
    let f: unknown = jnp;
    for (const part of fn.split('.')) f = (f as Record<string, unknown>)[camel(part)] ?? (f as any)[part];
    if (typeof f !== 'function') throw new Error(`tjax has no jnp.${fn}`);
    const opts = Object.fromEntries(Object.entries(kw).map(([k, v]) => [camel(k), v]));
    return Object.keys(opts).length ? f(...args, opts) : f(...args);
  };
}

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

function close(got: number, want: number, tol: Required<Tolerance>, scale: number): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (!Number.isFinite(want)) return got === want;
  return Math.abs(got - want) <= tol.atol * scale + tol.rtol * Math.abs(want);
}

/** Compare a tjax result with a fixture result (array, tuple of arrays, or plain value). */
export async function expectMatch(got: unknown, want: Json, tol: Tolerance = {}, where = ''): Promise<void> {
  const t = { rtol: tol.rtol ?? 2e-6, atol: tol.atol ?? 1e-6 };
  if (isDescribed(want)) {
    const g = got as Value;
    expect(g?.shape, `${where} shape`).toEqual(want.shape);
    expect(g.dtype.name, `${where} dtype`).toBe(want.dtype);
    expect(g.weakType, `${where} weak type`).toBe(Boolean(want.weak));
    const raw = (await (g as any).data()) as ArrayLike<number | bigint | boolean>;
    // float16 data comes back as its bits.
    const data = Array.from(raw, (v) => (want.dtype === 'float16' ? h2f(Number(v)) : Number(v)));
    const ref = want.data.map(num);
    if (want.dtype === 'bool' || !want.dtype.startsWith('float')) {
      expect(data, `${where} values`).toEqual(ref);
      return;
    }
    const scale = Math.max(1, ...ref.filter(Number.isFinite).map(Math.abs));
    const bad = ref.findIndex((r, i) => !close(data[i], r, t, scale));
    if (bad >= 0) expect(data, `${where} values (first mismatch at ${bad})`).toEqual(ref);
    return;
  }
  if (Array.isArray(want)) {
    expect(Array.isArray(got), `${where} is a sequence`).toBe(true);
    const g = got as unknown[];
    expect(g.length, `${where} length`).toBe(want.length);
    for (let i = 0; i < want.length; i++) await expectMatch(g[i], want[i], tol, `${where}[${i}]`);
    return;
  }
  if (typeof want === 'number' || want === 'nan' || want === 'inf' || want === '-inf') {
    const g =
      typeof got === 'object' && got !== null && 'dtype' in got ? Number(await (got as any).item()) : got;
    expect(
      close(Number(g), num(want as number), t, Math.abs(num(want as number)) || 1),
      `${where}: ${g} vs ${want}`,
    ).toBe(true);
    return;
  }
  expect(got, where).toEqual(want);
}

/** Python source for a fixture value, for the expression-language check (arrays become names). */
function pySource(v: Json, names: Map<string, unknown>): string | null {
  if (isDescribed(v)) {
    const n = `a${names.size}`;
    names.set(n, build(v));
    return n;
  }
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v === 'nan' || v === 'inf' || v === '-inf' ? null : JSON.stringify(v);
  if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) ? String(v) : null;
  if (Array.isArray(v)) {
    const parts = v.map((x) => pySource(x, names));
    return parts.some((p) => p === null) ? null : `(${parts.join(', ')}${parts.length === 1 ? ',' : ''})`;
  }
  return null;
}

/** The case as an expression (`fn(a0, a1, axis=1)`), or null when an argument has no source form. */
export function exprOf(c: Case): { src: string; inputs: Map<string, unknown> } | null {
  const inputs = new Map<string, unknown>();
  const parts: string[] = [];
  for (const a of c.args) {
    const s = pySource(a, inputs);
    if (s === null) return null;
    parts.push(s);
  }
  for (const [k, v] of Object.entries(c.kw)) {
    const s = pySource(v, inputs);
    if (s === null) return null;
    parts.push(`${k}=${s}`);
  }
  return { src: `${c.fn}(${parts.join(', ')})`, inputs };
}

export interface FamilyOptions {
  /** Library calls that do not follow the default convention, by fixture `fn`. */
  calls?: Record<string, Call>;
  /** Per-case (by name) or per-function (by fn) tolerances. */
  tol?: Record<string, Tolerance>;
  /** Cases (by name) or functions (by fn) the expression language cannot express (callables). */
  noExpr?: readonly string[];
  /** Cases (by name) not run under jit: their result's shape depends on their values. */
  noJit?: readonly string[];
  /**
   * Cases whose printed jaxpr must equal JAX's. The others with a fixture jaxpr are compared and
   * counted (printed), not asserted: they differ where a function they call does.
   */
  jaxprs?: readonly string[];
}

/** Register the vitest cases of one family. */
export function runFamily(family: string, options: FamilyOptions = {}): Case[] {
  const cases = loadCases(family);
  for (const c of cases) {
    const call = options.calls?.[c.fn] ?? defaultCall(c.fn);
    const tol = options.tol?.[c.name] ?? options.tol?.[c.fn] ?? {};
    const args = () => c.args.map(decode);
    const kw = () => decode(c.kw) as Record<string, unknown>;
    it(`${c.name}: ${c.fn}`, async () => {
      if (c.error) {
        let err: unknown = null;
        try {
          call(args(), kw());
        } catch (e) {
          err = e;
        }
        expect(err, `expected ${c.error.type}: ${c.error.message}`).toBeInstanceOf(Error);
        expect((err as Error).message).toBe(c.error.message);
        expect((err as Error).name).toBe(c.error.type);
        return;
      }
      await expectMatch(call(args(), kw()), c.out, tol, 'eager');
      // Under jit, with the array arguments traced and the rest static.
      const a = args();
      const underJit = !options.noJit?.includes(c.name);
      const pos = a.map((_, i) => (isDescribed(c.args[i]) ? i : -1)).filter((i) => i >= 0);
      const k = kw();
      const jitted = jit((...arrs: Value[]) => {
        const full = [...a];
        pos.forEach((p, j) => {
          full[p] = arrs[j];
        });
        return call(full, k);
      });
      if (underJit) await expectMatch(jitted(...pos.map((p) => a[p] as Value)), c.out, tol, 'jit');
      if (!options.noExpr?.includes(c.name) && !options.noExpr?.includes(c.fn)) {
        const e = exprOf(c);
        if (e)
          await expectMatch(evaluateExpression(e.src, parseExpression(e.src), e.inputs), c.out, tol, e.src);
      }
      if (c.grad) {
        const nums = c.grad.argnums;
        const w = Array.isArray(c.grad.w) ? c.grad.w.map(build) : build(c.grad.w);
        const loss = (...xs: unknown[]) => {
          const r = call(xs, kw());
          if (!Array.isArray(w)) return jnp.sum(jnp.multiply(r as Value, w));
          return (r as Value[]).map((o, i) => jnp.sum(jnp.multiply(o, w[i]))).reduce((p, q) => jnp.add(p, q));
        };
        const g = grad(loss, { argnums: nums })(...args());
        await expectMatch(g, c.grad.out, { rtol: 1e-5, atol: 1e-5, ...tol }, 'grad');
      }
      if (c.vmap) {
        const { in_axes: batchedAt } = c.vmap;
        const full = args();
        const batched = c.vmap.args.map(build);
        const f = (...bs: Value[]) => {
          const xs = [...full];
          batchedAt.forEach((p, j) => {
            xs[p] = bs[j];
          });
          return call(xs, kw());
        };
        await expectMatch(vmap(f)(...batched), c.vmap.out, tol, 'vmap');
      }
    });
  }
  it('prints the jaxprs JAX prints', () => {
    const matched: string[] = [];
    const pending: string[] = [];
    for (const c of cases.filter((x) => x.jaxpr)) {
      const call = options.calls?.[c.fn] ?? defaultCall(c.fn);
      const a = c.args.map(decode);
      const k = decode(c.kw) as Record<string, unknown>;
      const pos = a.map((_, i) => (isDescribed(c.args[i]) ? i : -1)).filter((i) => i >= 0);
      const f = (...arrs: Value[]) => {
        const full = [...a];
        pos.forEach((p, j) => {
          full[p] = arrs[j];
        });
        return call(full, k);
      };
      const text = String(makeJaxpr(f)(...pos.map((p) => a[p] as Value)));
      (text === c.jaxpr ? matched : pending).push(c.name);
      if (options.jaxprs?.includes(c.name)) expect(text, c.name).toBe(c.jaxpr);
    }
    console.log(
      `${family}: ${matched.length} of ${matched.length + pending.length} jaxprs print as JAX's` +
        (pending.length ? ` (not yet: ${pending.join(', ')})` : ''),
    );
    expect(matched.length).toBeGreaterThanOrEqual(options.jaxprs?.length ?? 0);
  });
  return cases;
}
