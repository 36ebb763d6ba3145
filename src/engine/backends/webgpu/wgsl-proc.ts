/**
 * @file Scalar procedures (compile/proc.ts) as WGSL functions in float32, for wgsl.ts's table of
 * helpers: procedure `p` becomes `fn h_<p>(...) -> f32` (compile/proc-render.ts with WGSL's
 * syntax), emitted only when a kernel uses it, with the helpers it calls as dependencies.
 * Operations map to WGSL built-ins or to wgsl.ts's helpers (h_pow, h_erfc, h_digamma; NaN tests
 * as h_isnan, which a shader compiler cannot fold away as it may fold x != x); log1p and expm1 near
 * 0 use short series of their own (h_ln1p, h_em1), whose accuracy no rewriting of `(1 + x) - 1` by a
 * shader compiler can lose.
 */

import type { SExpr } from '../../compile/kir.js';
import { type Proc, type ProcTable, procClosure, procTables } from '../../compile/proc.js';
import { localName, type ProcSyntax, renderProcBody } from '../../compile/proc-render.js';
import { float32 } from '../../core/dtype.js';

export interface WgslHelper {
  deps?: string[];
  code: string;
}

/** A WGSL float32 literal. */
function lit(v: number): string {
  if (Number.isNaN(v)) return 'h_nan()';
  if (v === Number.POSITIVE_INFINITY) return 'h_inf()';
  if (v === Number.NEGATIVE_INFINITY) return '(-h_inf())';
  const s = `${Math.fround(v).toExponential(8)}f`;
  return v < 0 ? `(${s})` : s;
}

/** Horner's scheme of sum_n c[n] t^n as a WGSL expression. */
function horner(c: readonly number[], t: string): string {
  let e = lit(c[c.length - 1]);
  for (let n = c.length - 2; n >= 0; n--) e = `${lit(c[n])} + ${t} * (${e})`;
  return e;
}

const SERIES_HELPERS: Record<string, WgslHelper> = {
  h_ln1p: {
    code: `fn h_ln1p(x: f32) -> f32 {
  if (abs(x) < 0.5f) {
    let u = x / (2.0f + x);
    let u2 = u * u;
    return 2.0f * u * (${horner([1, 1 / 3, 1 / 5, 1 / 7, 1 / 9, 1 / 11, 1 / 13, 1 / 15], 'u2')});
  }
  return log(1.0f + x);
}`,
  },
  h_em1: {
    code: `fn h_em1(x: f32) -> f32 {
  if (abs(x) < 0.5f) {
    return x * (${horner([1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040, 1 / 40320, 1 / 362880], 'x')});
  }
  return exp(x) - 1.0f;
}`,
  },
};

const UNARY: Record<string, (x: string) => string> = {
  neg: (x) => `-(${x})`,
  not: (x) => `!(${x})`,
  abs: (x) => `abs(${x})`,
  sign: (x) => `sign(${x})`,
  floor: (x) => `floor(${x})`,
  sqrt: (x) => `sqrt(${x})`,
  exp: (x) => `exp(${x})`,
  log: (x) => `log(${x})`,
  log1p: (x) => `h_ln1p(${x})`,
  expm1: (x) => `h_em1(${x})`,
  erfc: (x) => `h_erfc(${x})`,
  digamma: (x) => `h_digamma(${x})`,
};
const INFIX: Record<string, string> = {
  add: '+',
  sub: '-',
  mul: '*',
  div: '/',
  lt: '<',
  le: '<=',
  gt: '>',
  ge: '>=',
  eq: '==',
  ne: '!=',
  and: '&&',
  or: '||',
};

const tableName = (t: ProcTable): string => `T_${t.name}`;
const type = (e: SExpr): string => (e.dt.isBool ? 'bool' : 'f32');

const WGSL: ProcSyntax = {
  literal: (e) => (e.dt.isBool ? String(Boolean(e.v)) : lit(e.v as number)),
  node(x: SExpr, name) {
    switch (x.k) {
      case 'un': {
        const f = UNARY[x.op];
        if (!f) throw new Error(`wgsl-proc: no ${x.op}`);
        return f(name(x.x));
      }
      case 'bin':
        if (x.op === 'ne' && x.a === x.b) return `h_isnan(${name(x.a)})`;
        if (x.op === 'pow') return `h_pow(${name(x.a)}, ${name(x.b)})`;
        if (x.op === 'min' || x.op === 'max') return `${x.op}(${name(x.a)}, ${name(x.b)})`;
        if (x.op in INFIX) return `(${name(x.a)} ${INFIX[x.op]} ${name(x.b)})`;
        throw new Error(`wgsl-proc: no ${x.op}`);
      case 'sel':
        return `select(${name(x.b)}, ${name(x.a)}, ${name(x.c)})`;
      default:
        throw new Error(`wgsl-proc: cannot render ${x.k}`);
    }
  },
  temp: (name, e, code) => `let ${name}: ${type(e)} = ${code};`,
  local: (name, v, code) => `var ${name}: ${type(v)} = ${code};`,
  loop: (it, max) => `for (var ${it} = 0; ${it} < ${max}; ${it}++) {`,
  index: (t, idx) => `${tableName(t)}[i32(${idx})]`,
  fn: (p) => `h_${p.name}`,
};

/**
 * Helper-table entries (name -> code and dependencies) for the float32 procedures `roots` and all
 * they call; the helpers of wgsl.ts they use (h_pow, h_erfc, ...) are named as dependencies.
 */
export function procHelpers(roots: readonly Proc[]): Record<string, WgslHelper> {
  const out: Record<string, WgslHelper> = { ...SERIES_HELPERS };
  for (const p of procClosure(roots)) {
    if (p.dt !== float32) throw new Error(`wgsl-proc: ${p.name} is ${p.dt.name}, not float32`);
    const params = p.params.map((v) => `${localName(v)}: f32`).join(', ');
    // Each table is a helper of its own, so that procedures reading it share one declaration.
    const tables = procTables(p).map((t) => {
      out[tableName(t)] = {
        code: `const ${tableName(t)} = array<f32, ${t.values.length}>(${t.values.map(lit).join(', ')});`,
      };
      return tableName(t);
    });
    const code = [`fn ${WGSL.fn(p)}(${params}) -> f32 {`, ...renderProcBody(p, WGSL), '}'].join('\n');
    const calls = [...code.matchAll(/\b(h_\w+)\(/g)].map((m) => m[1]).filter((d) => d !== WGSL.fn(p));
    out[WGSL.fn(p)] = { deps: [...new Set([...calls, ...tables])], code };
  }
  return out;
}
