/**
 * @file Scalar procedures (compile/proc.ts) as WGSL functions in float32, for wgsl.ts's table of
 * helpers: procedure `p` becomes `fn h_<p>(...) -> f32`, emitted only when a kernel uses it, with
 * the helpers it calls as dependencies. Each statement's expression DAG becomes `let` temporaries.
 * Operations map to WGSL built-ins or to wgsl.ts's helpers (h_pow, h_erfc, h_digamma; NaN tests
 * as h_isnan, which a shader compiler cannot fold away as it may fold x != x); log1p and expm1 near
 * 0 use short series of their own (h_ln1p, h_em1), whose accuracy no rewriting of `(1 + x) - 1` by a
 * shader compiler can lose.
 */

import type { SExpr } from '../../compile/kir.js';
import { walk } from '../../compile/kir.js';
import { type Proc, type ProcTable, procClosure, procTables, type Stmt } from '../../compile/proc.js';
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

const fnName = (p: Proc): string => `h_${p.name}`;
const tableName = (t: ProcTable): string => `T_${t.name}`;
const type = (e: SExpr): string => (e.dt.isBool ? 'bool' : 'f32');

class ProcEmitter {
  private stmt = 0;
  readonly lines: string[] = [];

  expr(e: SExpr, ind: string): string {
    const names = new Map<number, string>();
    const prefix = `t${this.stmt++}_`;
    let n = 0;
    walk(e, (x) => {
      const name = (c: SExpr) => names.get(c.id)!;
      let code: string;
      switch (x.k) {
        case 'const':
          names.set(x.id, x.dt.isBool ? String(Boolean(x.v)) : lit(x.v as number));
          return;
        case 'var':
          names.set(x.id, `v_${x.name}`);
          return;
        case 'un': {
          const f = UNARY[x.op];
          if (!f) throw new Error(`wgsl-proc: no ${x.op}`);
          code = f(name(x.x));
          break;
        }
        case 'bin':
          if (x.op === 'ne' && x.a === x.b) code = `h_isnan(${name(x.a)})`;
          else if (x.op === 'pow') code = `h_pow(${name(x.a)}, ${name(x.b)})`;
          else if (x.op === 'min' || x.op === 'max') code = `${x.op}(${name(x.a)}, ${name(x.b)})`;
          else if (x.op in INFIX) code = `(${name(x.a)} ${INFIX[x.op]} ${name(x.b)})`;
          else throw new Error(`wgsl-proc: no ${x.op}`);
          break;
        case 'sel':
          code = `select(${name(x.b)}, ${name(x.a)}, ${name(x.c)})`;
          break;
        default:
          throw new Error(`wgsl-proc: cannot render ${x.k}`);
      }
      const t = `${prefix}${n++}`;
      this.lines.push(`${ind}let ${t}: ${type(x)} = ${code};`);
      names.set(x.id, t);
    });
    return names.get(e.id)!;
  }

  block(body: readonly Stmt[], depth: number): void {
    const ind = '  '.repeat(depth);
    for (const s of body) {
      switch (s.s) {
        case 'let':
          this.lines.push(`${ind}var v_${s.v.name}: ${type(s.v)} = ${this.expr(s.e, ind)};`);
          break;
        case 'set':
          this.lines.push(`${ind}v_${s.v.name} = ${this.expr(s.e, ind)};`);
          break;
        case 'call': {
          const args = s.args.map((a) => this.expr(a, ind));
          this.lines.push(`${ind}let v_${s.v.name} = ${fnName(s.proc)}(${args.join(', ')});`);
          break;
        }
        case 'read':
          this.lines.push(
            `${ind}var v_${s.v.name}: f32 = ${tableName(s.table)}[i32(${this.expr(s.idx, ind)})];`,
          );
          break;
        case 'if':
          this.lines.push(`${ind}if (${this.expr(s.c, ind)}) {`);
          this.block(s.yes, depth + 1);
          if (s.no.length) {
            this.lines.push(`${ind}} else {`);
            this.block(s.no, depth + 1);
          }
          this.lines.push(`${ind}}`);
          break;
        case 'loop': {
          const it = `it${depth}`;
          this.lines.push(`${ind}for (var ${it} = 0; ${it} < ${s.max}; ${it}++) {`);
          this.block(s.body, depth + 1);
          this.lines.push(`${ind}}`);
          break;
        }
        case 'break':
          this.lines.push(`${ind}break;`);
          break;
        case 'return':
          this.lines.push(`${ind}return ${this.expr(s.e, ind)};`);
          break;
      }
    }
  }
}

/**
 * Helper-table entries (name -> code and dependencies) for the float32 procedures `roots` and all
 * they call; the helpers of wgsl.ts they use (h_pow, h_erfc, ...) are named as dependencies.
 */
export function procHelpers(roots: readonly Proc[]): Record<string, WgslHelper> {
  const out: Record<string, WgslHelper> = { ...SERIES_HELPERS };
  for (const p of procClosure(roots)) {
    if (p.dt !== float32) throw new Error(`wgsl-proc: ${p.name} is ${p.dt.name}, not float32`);
    const em = new ProcEmitter();
    em.block(p.body, 1);
    const params = p.params.map((v) => `v_${v.name}: f32`).join(', ');
    // Each table is a helper of its own, so that procedures reading it share one declaration.
    const tables = procTables(p).map((t) => {
      out[tableName(t)] = {
        code: `const ${tableName(t)} = array<f32, ${t.values.length}>(${t.values.map(lit).join(', ')});`,
      };
      return tableName(t);
    });
    const code = [`fn ${fnName(p)}(${params}) -> f32 {`, ...em.lines, '}'].join('\n');
    const calls = [...code.matchAll(/\b(h_\w+)\(/g)].map((m) => m[1]).filter((d) => d !== fnName(p));
    out[fnName(p)] = { deps: [...new Set([...calls, ...tables])], code };
  }
  return out;
}
