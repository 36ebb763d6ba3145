/**
 * @file Custom derivative rules, as jax.custom_jvp / jax.custom_vjp define them ("Custom derivative
 * rules for JAX-transformable Python functions"): `customJvp(f).defjvp(rule)` / `.defjvps(...)`
 * and `customVjp(f).defvjp(fwd, bwd)`, and the primitives they bind, `custom_jvp_call` and
 * `custom_vjp_call`, with JAX 0.10.2's params and printing (`custom_jvp_call[name=f call_jaxpr={..}
 * jvp=f_jvp symbolic_zeros=False]`). Also `custom_lin`, the linear stand-in that the JVP of a
 * custom_vjp call leaves for transposition (its forward evaluation is JAX's "can't apply
 * forward-mode autodiff" error). The rules of these primitives are in rules/custom.ts.
 *
 * Eagerly (no tracer among the arguments and no staging trace) a custom function just runs, as
 * JAX's eval trace does; otherwise it is traced to `call_jaxpr` (closed-over arrays become the
 * leading `num_consts` operands) and bound, so each transformation sees one equation.
 */
import type { LowerRule } from '../compile/lower.js';
import type { ShapedArray } from '../core/aval.js';
import { toValue } from '../core/coerce.js';
import { ValueError } from '../core/errors.js';
import { definePrimitive, type Params, type Primitive } from '../core/primitive.js';
import { type TreeDef, treeFlatten, treeUnflatten } from '../core/pytree.js';
import { bind, currentDynamicTrace, isTracer, type Value } from '../core/trace.js';
import { evalJaxpr } from '../ir/eval.js';
import type { ClosedJaxpr } from '../ir/jaxpr.js';
import { convertConstvars } from './jit.js';
import { addTangents, type Tangent, Zero } from './jvp.js';
import { traceToJaxpr } from './staging.js';

type Fn = (...args: any[]) => any;

/** The error JAX raises when a custom_vjp function meets forward-mode differentiation. */
export const CUSTOM_VJP_JVP_ERROR = "can't apply forward-mode autodiff (jvp) to a custom_vjp function.";

function fnName(f: unknown): string {
  return (f as { name?: string }).name || '<lambda>';
}

function named<F extends Fn>(f: F, name: string): F {
  Object.defineProperty(f, 'name', { value: name });
  return f;
}

/** Python's str() of a rule's result, enough for error messages. */
function pyText(x: unknown): string {
  if (x === null || x === undefined) return 'None';
  if (Array.isArray(x)) return `(${x.map(pyText).join(', ')}${x.length === 1 ? ',' : ''})`;
  return String(x);
}

function inlineLowering(key: string): LowerRule {
  return (ctx, ins, p) => {
    const cj = p[key] as ClosedJaxpr;
    return ctx.lowerJaxpr(cj.jaxpr, [], ins);
  };
}

/** The values of a flat call: eager arrays run the jaxpr through evaluation, binding each op. */
function callImpl(key: string) {
  return (args: Value[], p: Params): Value[] => {
    const cj = p[key] as ClosedJaxpr;
    return evalJaxpr(cj.jaxpr, cj.consts, args);
  };
}

// ---- primitives -------------------------------------------------------------------------------------

/** Flat JVP function of a custom_jvp call: primals and tangents (consts excluded) to outputs. */
export type FlatJvp = (primals: Value[], tangents: Value[]) => [Value[], Tangent[]];
/** Flat fwd: primals (consts excluded) to primal outputs followed by residuals. */
export type FlatFwd = (primals: Value[]) => { outs: Value[]; res: Value[] };
/** Flat bwd: residuals and output cotangents to one cotangent (or Zero) per primal input. */
export type FlatBwd = (res: Value[], cts: Value[]) => Tangent[];

/** What the two custom call primitives share: they run, lower and abstract-evaluate as `call_jaxpr`. */
const callRules = {
  abstractEval(_avals: ShapedArray[], p: Params) {
    return (p.call_jaxpr as ClosedJaxpr).outAvals;
  },
  impl: callImpl('call_jaxpr'),
  lower: inlineLowering('call_jaxpr'),
};

export const custom_jvp_call = definePrimitive(
  'custom_jvp_call',
  {
    ...callRules,
    /** JAX's pp rule: the function's name first, `jvp` as the rule's name, num_consts when nonzero. */
    ppParams: (p: Params) => ({
      name: p.name,
      call_jaxpr: p.call_jaxpr,
      jvp: fnName(p.jvp_jaxpr_fun as Fn),
      ...(p.num_consts ? { num_consts: p.num_consts } : {}),
      symbolic_zeros: p.symbolic_zeros,
    }),
  },
  true,
);

export const custom_vjp_call = definePrimitive(
  'custom_vjp_call',
  {
    ...callRules,
    ppParams: (p: Params) => ({
      name: p.name,
      bwd: fnName(p.bwd as Fn),
      call_jaxpr: p.call_jaxpr,
      fwd: fnName(p.fwd_jaxpr_thunk as Fn),
      ...(p.num_consts ? { num_consts: p.num_consts } : {}),
      symbolic_zeros: p.symbolic_zeros,
    }),
  },
  true,
);

function customLinError(): never {
  throw new TypeError(CUSTOM_VJP_JVP_ERROR);
}

/**
 * The tangent map of a custom_vjp call: residuals then tangents in, tangents out. It exists only to
 * be transposed (its transpose runs `bwd`); anything else is forward-mode autodiff and an error.
 */
export const custom_lin = definePrimitive(
  'custom_lin',
  {
    abstractEval(_avals, p) {
      return p.out_avals as ShapedArray[];
    },
    impl: customLinError,
    lower: customLinError,
    batch: customLinError,
    jvp: customLinError,
    ppParams: (p: Params) => ({ num_res: p.num_res, bwd: fnName(p.bwd as Fn), symbolic_zeros: false }),
  },
  true,
);

// ---- shared plumbing --------------------------------------------------------------------------------

function nondiffSet(nums: number | readonly number[] | undefined, nargs: number): Set<number> {
  const list = nums === undefined ? [] : typeof nums === 'number' ? [nums] : nums;
  return new Set(list.map((n) => (n < 0 ? n + nargs : n)));
}

interface Prepared {
  nondiff: unknown[];
  vals: Value[];
  inTree: TreeDef;
  /** Rebuild the full positional argument list from flat diff leaves. */
  rebuild: (leaves: readonly unknown[]) => unknown[];
  /** The diff arguments as a tuple from flat leaves. */
  diffArgs: (leaves: readonly unknown[]) => unknown[];
}

function prepare(args: unknown[], nums: number | readonly number[] | undefined): Prepared {
  const nd = nondiffSet(nums, args.length);
  const nondiff = args.filter((_, i) => nd.has(i));
  const diff = args.filter((_, i) => !nd.has(i));
  const [leaves, inTree] = treeFlatten(diff);
  const vals = leaves.map(toValue);
  const diffArgs = (ls: readonly unknown[]) => treeUnflatten(inTree, ls) as unknown[];
  const rebuild = (ls: readonly unknown[]) => {
    const d = diffArgs(ls);
    let k = 0;
    let j = 0;
    return args.map((_, i) => (nd.has(i) ? nondiff[j++] : d[k++]));
  };
  return { nondiff, vals, inTree, rebuild, diffArgs };
}

/** Whether a call happens at the bottom of the trace stack (eager, nothing staged). */
function atBottom(vals: Value[]): boolean {
  return !vals.some(isTracer) && currentDynamicTrace().level === 0;
}

/** The callable of customJvp/customVjp: named after `f`, with `f` as its `fun`. */
function customCallable(call: (...args: unknown[]) => unknown, f: Fn, name: string): unknown {
  Object.defineProperty(call, 'name', { value: name });
  Object.defineProperty(call, 'fun', { value: f });
  return call;
}

/** Bind a custom call primitive on the consts and the flat arguments; its outputs as `f`'s pytree. */
function bindCall(
  prim: Primitive,
  traced: { callJaxpr: ClosedJaxpr; consts: Value[]; outTree: TreeDef },
  prep: Prepared,
  name: string,
  rules: Params,
): unknown {
  const { callJaxpr, consts, outTree } = traced;
  const outs = bind(prim, [...consts, ...prep.vals], {
    call_jaxpr: callJaxpr,
    ...rules,
    num_consts: consts.length,
    symbolic_zeros: false,
    name,
  });
  return treeUnflatten(outTree, outs);
}

/** Trace `f` (positional args rebuilt from flat leaves) to a call jaxpr with consts as leading invars. */
function traceCall(
  f: Fn,
  prep: Prepared,
): { callJaxpr: ClosedJaxpr; consts: Value[]; outTree: TreeDef; outAvals: ShapedArray[] } {
  let outTree: TreeDef | undefined;
  const closed = traceToJaxpr(
    (...xs) => {
      const [ol, ot] = treeFlatten(f(...prep.rebuild(xs)));
      outTree = ot;
      return ol.map(toValue);
    },
    prep.vals.map((v) => v.aval),
  );
  const { jaxpr, consts } = convertConstvars(closed);
  return { callJaxpr: jaxpr, consts, outTree: outTree!, outAvals: closed.outAvals };
}

function stripTree(t: TreeDef): string {
  return String(t);
}

// ---- custom_jvp ---------------------------------------------------------------------------------------

export interface CustomJvpOptions {
  nondiffArgnums?: number | readonly number[];
}

/** A tangent function of defjvps: (g, ans, ...primals) -> the tangent contribution of one argument. */
export type JvpsFn = ((g: any, ans: any, ...primals: any[]) => any) | null;

export interface CustomJvp<F extends Fn> {
  (...args: Parameters<F>): ReturnType<F>;
  readonly fun: F;
  jvp: Fn | null;
  /** Set the JVP rule: `rule(primals, tangents) -> [primalOut, tangentOut]` (nondiff args first). */
  defjvp<R extends Fn>(rule: R, opts?: { symbolicZeros?: boolean }): R;
  /** One tangent function per argument (null: not differentiable there); contributions are summed. */
  defjvps(...fns: JvpsFn[]): void;
}

/** jax.custom_jvp. */
export function customJvp<F extends Fn>(f: F, opts: CustomJvpOptions = {}): CustomJvp<F> {
  const name = fnName(f);
  const call = customCallable(
    (...args: unknown[]) => {
      const rule = call.jvp;
      if (!rule) throw new TypeError(`No JVP defined for custom_jvp function ${name} using defjvp.`);
      const prep = prepare(args, opts.nondiffArgnums);
      if (atBottom(prep.vals)) return f(...prep.rebuild(prep.vals));
      const { callJaxpr, consts, outTree, outAvals } = traceCall(f, prep);
      const jvpName = fnName(rule);
      const jvpFun: FlatJvp = named((primals, tangents) => {
        const pair = rule(...prep.nondiff, prep.diffArgs(primals), prep.diffArgs(tangents));
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw new TypeError(
            `Custom JVP rule ${jvpName} for function ${name} must produce a pair (list or tuple of length two) representing primal and tangent outputs, but got ${pyText(pair)}.`,
          );
        }
        const [po, pt] = treeFlatten(pair[0]);
        const [to, tt] = treeFlatten(pair[1], (x) => x instanceof Zero);
        if (!pt.equals(tt)) {
          throw new TypeError(
            `Custom JVP rule ${jvpName} for function ${name} must produce primal and tangent outputs with equal container (pytree) structures, but got ${stripTree(pt)} and ${stripTree(tt)} respectively.`,
          );
        }
        if (!pt.equals(outTree)) {
          throw new TypeError(
            `Custom JVP rule ${jvpName} for function ${name} must produce a pair (list or tuple of length two) where the first element represents the primal output (equal in value to the output of the custom_jvp-decorated function ${name}, and in particular of the same container/pytree structure), but instead the JVP rule output's first element had container/pytree structure:\n    ${String(pt).replace(/'/g, '')}\nwhile the custom_jvp-decorated function ${name} had output container/pytree structure:\n    ${String(outTree).replace(/'/g, '')}.`,
          );
        }
        const primalsOut = po.map(toValue);
        const tangentsOut = to.map((t, i) => (t instanceof Zero ? new Zero(outAvals[i]) : toValue(t)));
        checkTangents(primalsOut, tangentsOut);
        return [primalsOut, tangentsOut];
      }, jvpName);
      return bindCall(custom_jvp_call, { callJaxpr, consts, outTree }, prep, name, { jvp_jaxpr_fun: jvpFun });
    },
    f,
    name,
  ) as CustomJvp<F>;
  call.jvp = null;
  call.defjvp = (rule, o = {}) => {
    if (o.symbolicZeros) throw new Error('custom_jvp: symbolic_zeros=True is not supported');
    call.jvp = rule;
    return rule;
  };
  call.defjvps = (...fns) => {
    if (opts.nondiffArgnums !== undefined && nondiffSet(opts.nondiffArgnums, 1).size) {
      throw new TypeError("Can't use ``defjvps`` with ``nondiff_argnums``.");
    }
    call.jvp = named((primals: unknown[], tangents: unknown[]) => {
      const ans = call(...(primals as Parameters<F>));
      const [ansLeaves, ansTree] = treeFlatten(ans);
      const ansVals = ansLeaves.map(toValue);
      let sum: Tangent[] = ansVals.map((a) => new Zero(a.aval));
      fns.forEach((fn, i) => {
        if (!fn) return;
        const [tl] = treeFlatten(fn(tangents[i], ans, ...primals));
        sum = sum.map((s, k) => addTangents(s, toValue(tl[k])));
      });
      return [ans, treeUnflatten(ansTree, sum)];
    }, 'jvp');
  };
  return call;
}

function checkTangents(primals: Value[], tangents: Tangent[]): void {
  const bad = primals
    .map((p, i) => [p.aval, tangents[i].aval] as const)
    .filter(
      ([p, t]) =>
        p.dtype.isFloat &&
        (t.dtype !== p.dtype ||
          t.shape.length !== p.shape.length ||
          t.shape.some((d, k) => d !== p.shape[k])),
    );
  if (!bad.length) return;
  const short = (a: ShapedArray) => a.strShort();
  if (primals.length === 1) {
    const [p, t] = bad[0];
    throw new TypeError(
      `Custom JVP rule must produce primal and tangent outputs with corresponding shapes and dtypes. Expected ${short(p)} (tangent type of ${short(p)}) but got ${short(t)}.`,
    );
  }
  throw new TypeError(
    `Custom JVP rule must produce primal and tangent outputs with corresponding shapes and dtypes, but got:\n${bad
      .map(([p, t]) => `  primal ${short(p)} with tangent ${short(t)}, expecting tangent ${short(p)}`)
      .join('\n')}`,
  );
}

// ---- custom_vjp ---------------------------------------------------------------------------------------

export interface CustomVjpOptions {
  nondiffArgnums?: number | readonly number[];
}

export interface CustomVjp<F extends Fn> {
  (...args: Parameters<F>): ReturnType<F>;
  readonly fun: F;
  fwd: Fn | null;
  bwd: Fn | null;
  /** fwd(...args) -> [out, residuals]; bwd(...nondiff, residuals, ct) -> one cotangent per diff arg. */
  defvjp(fwd: Fn, bwd: Fn, opts?: { symbolicZeros?: boolean }): void;
}

/** jax.custom_vjp. */
export function customVjp<F extends Fn>(f: F, opts: CustomVjpOptions = {}): CustomVjp<F> {
  const name = fnName(f);
  const call = customCallable(
    (...args: unknown[]) => {
      const fwd = call.fwd;
      const bwd = call.bwd;
      if (!fwd || !bwd) throw new TypeError(`No VJP defined for custom_vjp function ${name} using defvjp.`);
      const prep = prepare(args, opts.nondiffArgnums);
      if (atBottom(prep.vals)) return f(...prep.rebuild(prep.vals));
      const { callJaxpr, consts, outTree } = traceCall(f, prep);
      const fwdName = fnName(fwd);
      let resTree: TreeDef | null = null;
      const fwdFun: FlatFwd = named((primals: Value[]) => {
        const pair = fwd(...prep.rebuild(primals));
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw new TypeError(
            `Custom VJP fwd rule ${fwdName} for function ${name} must produce a pair (list or tuple of length two) where the first element represents the primal output (equal to those of the custom_vjp-decorated function ${name}) and the second element represents residuals (i.e. values stored from the forward pass for use on the backward pass), but instead of a pair the fwd rule ${fwdName} produced ${pyText(pair)}.`,
          );
        }
        const [ol, ot] = treeFlatten(pair[0]);
        if (!ot.equals(outTree)) {
          throw new TypeError(
            `Custom VJP fwd rule ${fwdName} for function ${name} must produce a pair (list or tuple of length two) where the first element represents the primal output (equal to the output of the custom_vjp-decorated function ${name}) and the second element represents residuals (i.e. values stored from the forward pass for use on the backward pass), but instead the fwd rule output's first element had container/pytree structure:\n    ${String(ot).replace(/'/g, '')}\nwhile the custom_vjp-decorated function ${name} had output container/pytree structure:\n    ${String(outTree).replace(/'/g, '')}.`,
          );
        }
        const [rl, rt] = treeFlatten(pair[1]);
        resTree = rt;
        return { outs: ol.map(toValue), res: rl.map(toValue) };
      }, fwdName);
      const bwdFun: FlatBwd = named((res: Value[], cts: Value[]) => {
        const pyRes = treeUnflatten(resTree!, res);
        let out = bwd(...prep.nondiff, pyRes, treeUnflatten(outTree, cts));
        const nDiff = prep.diffArgs(prep.vals).length;
        if (!Array.isArray(out) || out.length !== nDiff) {
          const [, t2] = treeFlatten(out);
          throw new TypeError(
            `Custom VJP bwd rule must produce an output with the same container (pytree) structure as the args tuple of the primal function, and in particular must produce a tuple of length equal to the number of arguments to the primal function, but got bwd output structure ${t2} for primal input structure ${prep.inTree}.`,
          );
        }
        out = out as unknown[];
        const ins = prep.diffArgs(prep.vals);
        const flat: Tangent[] = [];
        ins.forEach((arg, i) => {
          const [al] = treeFlatten(arg);
          const ct = out[i];
          if (ct === null || ct === undefined) {
            for (const a of al) flat.push(new Zero(toValue(a).aval));
            return;
          }
          const [cl] = treeFlatten(ct, (x) => x instanceof Zero);
          if (cl.length !== al.length) {
            throw new TypeError(
              `Custom VJP bwd rule must produce an output with the same container (pytree) structure as the args tuple of the primal function, and in particular must produce a tuple of length equal to the number of arguments to the primal function, but got bwd output structure ${treeFlatten(out)[1]} for primal input structure ${prep.inTree}.`,
            );
          }
          cl.forEach((c, k) => {
            const a = toValue(al[k]).aval;
            if (c instanceof Zero) flat.push(new Zero(a));
            else {
              const v = toValue(c);
              if (v.shape.join() !== a.shape.join()) {
                throw new ValueError(
                  `Custom VJP bwd rule must produce an output with the same shape/dtypes as the args tuple of the primal function, but at output[${i}] the bwd rule produced an output of type ${v.aval.strShort()} corresponding to an input of type ${a.strShort()}`,
                );
              }
              flat.push(v);
            }
          });
        });
        return flat;
      }, fnName(bwd));
      const rules = { fwd_jaxpr_thunk: fwdFun, bwd: bwdFun, out_trees: null };
      return bindCall(custom_vjp_call, { callJaxpr, consts, outTree }, prep, name, rules);
    },
    f,
    name,
  ) as CustomVjp<F>;
  call.fwd = null;
  call.bwd = null;
  call.defvjp = (fwd, bwd, o = {}) => {
    if (o.symbolicZeros) throw new Error('custom_vjp: symbolic_zeros=True is not supported');
    call.fwd = fwd;
    call.bwd = bwd;
  };
  return call;
}
