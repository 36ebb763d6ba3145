/**
 * @file Print jaxprs exactly as JAX (0.10) prints them: the layout of jax/_src/core.py's
 * pp_jaxpr on the pretty printer in pretty.ts, names a..z, ba, bb, ... assigned in print order,
 * typed literals (`2.0:f32[]`), params sorted by key (a primitive's `ppParams` rule may hide
 * defaults or reorder, as JAX's pp rules do), unused top-level results as `_`, nested jit
 * jaxprs reusing the caller's names, and nested jaxprs used twice or longer than 10 equations
 * hoisted as `let name = { lambda ... } in`.
 */
import { pyScalarOf } from '../core/coerce.js';
import type { Params } from '../core/primitive.js';
import { type Atom, ClosedJaxpr, DropVar, Jaxpr, type JaxprEqn, Literal, printHooks, Var } from './jaxpr.js';
import { brk, concat, type Doc, format, group, join, nest, nil, text } from './pretty.js';
import { pyFloat, pyStr } from './pyrepr.js';

function encodeName(n: number): string {
  let s = '';
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n);
  return s;
}

class Context {
  readonly names = new Map<Var, string>();
  readonly shared = new Map<Jaxpr, string>();
  readonly sharedNames = new Set<string>();
  private next = 0;
  constructor(readonly dropped: Set<Var>) {}
  name(v: Var): string {
    let n = this.names.get(v);
    if (n === undefined) {
      do n = encodeName(this.next++);
      while (this.sharedNames.has(n));
      this.names.set(v, n);
    }
    return n;
  }
  /** JAX's suggest_same_var_names: a nested jit's binders reuse the caller's names. */
  suggest(forVars: readonly Atom[], likeVars: readonly Atom[]): void {
    if (forVars.length !== likeVars.length) return;
    const used = new Set<Var>();
    forVars.forEach((f, i) => {
      const like = likeVars[i];
      if (like instanceof Var && !used.has(like) && f instanceof Var && !this.names.has(f)) {
        used.add(like);
        this.names.set(f, this.ppAtom(like));
      }
    });
  }
  ppAtom(a: Atom): string {
    if (a instanceof Literal) return `${literalText(a)}:${a.aval.strShort()}`;
    if (a instanceof DropVar || this.dropped.has(a)) return '_';
    return this.name(a);
  }
}

export function literalText(l: Literal): string {
  const py = l.aval.weakType && l.aval.dtype.isFloat ? pyScalarOf(l.val) : undefined;
  if (py !== undefined) return pyFloat(py);
  const v = l.value;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'object') return String(v);
  return l.aval.dtype.isFloat ? pyFloat(v) : String(v);
}

function ppVars(ctx: Context, vs: readonly Atom[], printShapes: boolean, separator = ''): Doc {
  return nest(
    2,
    group(
      join(
        concat(text(separator), group(brk())),
        vs.map((v) => text(printShapes ? `${ctx.ppAtom(v)}:${v.aval.strShort()}` : ctx.ppAtom(v))),
      ),
    ),
  );
}

function jaxprOf(v: unknown): Jaxpr | null {
  if (v instanceof Jaxpr) return v;
  if (v instanceof ClosedJaxpr) return v.jaxpr;
  return null;
}

function isJaxprTuple(v: unknown): v is unknown[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => jaxprOf(x) !== null);
}

function ppKvPair(ctx: Context, k: string, v: unknown): Doc {
  let d: Doc;
  if (isJaxprTuple(v)) {
    d = group(
      concat(
        nest(
          2,
          concat(
            text('('),
            brk(''),
            join(
              brk(),
              v.map((x) => ppJaxpr(ctx, jaxprOf(x)!)),
            ),
          ),
        ),
        brk(''),
        text(')'),
      ),
    );
  } else {
    const j = jaxprOf(v);
    d = j ? ppJaxpr(ctx, j) : text(pyStr(v));
  }
  return concat(text(`${k}=`), d);
}

function ppKvPairs(ctx: Context, pairs: [string, unknown][]): Doc {
  if (!pairs.length) return nil;
  return group(
    concat(
      nest(
        2,
        concat(
          text('['),
          brk(''),
          join(
            brk(),
            pairs.map(([k, v]) => ppKvPair(ctx, k, v)),
          ),
        ),
      ),
      brk(''),
      text(']'),
    ),
  );
}

type PpParams = (p: Params) => Record<string, unknown>;

function ppEqn(ctx: Context, eqn: JaxprEqn): Doc {
  const rules = eqn.primitive.rules;
  const custom = rules.ppParams as PpParams | undefined;
  let pairs: [string, unknown][];
  if (custom) {
    const shown = custom(eqn.params);
    const { name, ...rest } = shown;
    pairs = Object.keys(rest)
      .sort()
      .map((k) => [k, rest[k]] as [string, unknown]);
    if (name !== undefined) pairs.unshift(['name', name]);
  } else {
    pairs = Object.keys(eqn.params)
      .sort()
      .map((k) => [k, eqn.params[k]]);
  }
  if (rules.ppSuggestNames) {
    const inner = jaxprOf(eqn.params.jaxpr);
    if (inner && !ctx.shared.has(inner)) {
      ctx.suggest(inner.invars, eqn.inputs);
      ctx.suggest(inner.outvars, eqn.outvars);
    }
  }
  const lhs = ppVars(ctx, eqn.outvars, true);
  const rhs = [
    text(eqn.primitive.name),
    ppKvPairs(ctx, pairs),
    concat(text(' '), ppVars(ctx, eqn.inputs, false)),
  ];
  return eqn.outvars.length ? concat(lhs, text(' = '), ...rhs) : concat(...rhs);
}

function ppJaxprSkeleton(ctx: Context, j: Jaxpr): Doc {
  const constvars = ppVars(ctx, j.constvars, true);
  const invars = ppVars(ctx, j.invars, true);
  const eqns = join(
    brk('; '),
    j.eqns.map((e) => ppEqn(ctx, e)),
  );
  const outvars = concat(
    text('('),
    ppVars(ctx, j.outvars, false, ','),
    text(j.outvars.length !== 1 ? ')' : ',)'),
  );
  return group(
    concat(
      nest(
        2,
        concat(
          text('{ '),
          text('lambda '),
          constvars,
          text('; '),
          invars,
          text('. '),
          text('let'),
          nest(2, concat(brk(), eqns)),
          brk(),
          text('in '),
          outvars,
        ),
      ),
      text(' }'),
    ),
  );
}

function ppJaxpr(ctx: Context, j: Jaxpr): Doc {
  const name = ctx.shared.get(j);
  if (name !== undefined) return text(name);
  return ppJaxprSkeleton(ctx, j);
}

function jaxprsInParams(p: Params): Jaxpr[] {
  const out: Jaxpr[] = [];
  for (const v of Object.values(p)) {
    const j = jaxprOf(v);
    if (j) out.push(j);
    else if (isJaxprTuple(v)) for (const x of v) out.push(jaxprOf(x)!);
    // A param holding jaxprs it prints itself (custom_linear_solve's _LinearSolveTuple): JAX's
    // search for jaxprs to hoist still looks inside it.
    else if (typeof (v as { nestedJaxprs?: unknown })?.nestedJaxprs === 'function')
      out.push(...(v as { nestedJaxprs(): Jaxpr[] }).nestedJaxprs());
  }
  return out;
}

/** Vars of the top-level jaxpr that equations bind but nothing reads (printed `_`). */
function droppedVars(j: Jaxpr): Set<Var> {
  const used = new Set<Atom>(j.outvars);
  for (const e of j.eqns) for (const a of e.inputs) used.add(a);
  const dropped = new Set<Var>();
  for (const e of j.eqns) for (const v of e.outvars) if (!used.has(v)) dropped.add(v);
  return dropped;
}

export function printJaxpr(top: Jaxpr): string {
  const ctx = new Context(droppedVars(top));
  // Find nested jaxprs used more than once (or longer than 10 equations) to hoist.
  const names = new Map<Jaxpr, string>();
  const counts = new Map<Jaxpr, number>();
  const queue: Jaxpr[] = [top];
  while (queue.length) {
    const j = queue.shift()!;
    counts.set(j, (counts.get(j) ?? 0) + 1 + (j !== top && j.eqns.length > 10 ? 1 : 0));
    for (const e of j.eqns) {
      const subs = jaxprsInParams(e.params);
      const nm = e.params.name;
      queue.push(...subs);
      // JAX's custom_jvp_call/custom_vjp_call have no `name` param (their pp rule prints one), so
      // jaxprs hoisted out of them are called `jaxpr`.
      if (typeof nm === 'string' && !e.primitive.name.startsWith('custom_')) {
        for (const s of subs) if (!names.has(s)) names.set(s, nm.replace(/^<+|>+$/g, ''));
      }
    }
  }
  const nameCounts = new Map<string, number>();
  const shared: [string, Jaxpr][] = [];
  for (const [j, c] of counts) {
    if (c === 1) continue;
    let name = names.get(j) ?? 'jaxpr';
    const k = nameCounts.get(name) ?? 0;
    if (k > 0) {
      nameCounts.set(name, k + 1);
      name += String(k);
    }
    nameCounts.set(name, (nameCounts.get(name) ?? 0) + 1);
    ctx.sharedNames.add(name);
    ctx.shared.set(j, name);
    shared.push([name, j]);
  }
  const docs: Doc[] = shared.map(([name, j]) =>
    concat(text('let '), text(name), text(' = '), ppJaxprSkeleton(ctx, j), text(' in'), brk()),
  );
  docs.push(ppJaxpr(ctx, top));
  return format(concat(...docs));
}

printHooks.print = printJaxpr;
