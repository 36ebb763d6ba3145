/**
 * @file checkGrads, as jax.test_util.check_grads: forward mode is checked against central finite
 * differences along a random direction, reverse mode by the inner-product identity
 * <ct, J v> = <J^T ct, v> with J v taken by finite differences; higher orders recurse on the
 * jvp / vjp functions. Pseudo-random directions come from a fixed-seed generator.
 */
import type { ArrayImpl } from './core/array.js';
import { hostArray, toValue } from './core/coerce.js';
import { treeFlatten, treeUnflatten } from './core/pytree.js';
import type { Value } from './core/trace.js';
import * as L from './lax/elementwise.js';
import { reduceSum } from './lax/reductions.js';
import { jvp, vjp } from './transforms/api.js';
import { Zero } from './transforms/jvp.js';

type Fn = (...args: any[]) => any;
export type GradMode = 'fwd' | 'rev';

export interface CheckGradsOptions {
  order?: number;
  modes?: GradMode[];
  atol?: number;
  rtol?: number;
  eps?: number;
  seed?: number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

function randLike(tree: unknown, r: () => number): unknown {
  const [leaves, def] = treeFlatten(tree);
  return treeUnflatten(
    def,
    leaves.map((l) => {
      const v = toValue(l);
      if (!v.dtype.isFloat) return new Zero(v.aval);
      const data = Array.from({ length: v.size }, () => r());
      return hostArray(v.size === 0 ? [] : data, { dtype: v.dtype }).reshape(v.shape);
    }),
  );
}

function leavesOf(tree: unknown): Value[] {
  return treeFlatten(tree)[0]
    .filter((l) => !(l instanceof Zero))
    .map(toValue);
}

function axpy(a: number, xs: unknown, ys: unknown): unknown {
  const [xl, def] = treeFlatten(xs);
  const yl = treeFlatten(ys)[0];
  return treeUnflatten(
    def,
    xl.map((x, i) => {
      const y = yl[i];
      if (y instanceof Zero) return x;
      const xv = toValue(x);
      return L.add(xv, L.mul(L.convertElementType(a, xv.dtype, true), toValue(y)));
    }),
  );
}

async function inner(xs: unknown, ys: unknown): Promise<number> {
  const xl = treeFlatten(xs)[0];
  const yl = treeFlatten(ys)[0];
  let s = 0;
  for (let i = 0; i < xl.length; i++) {
    if (xl[i] instanceof Zero || yl[i] instanceof Zero) continue;
    const x = toValue(xl[i]);
    const y = toValue(yl[i]);
    const p = reduceSum(
      L.mul(L.convertElementType(x, 'float32'), L.convertElementType(y, 'float32')),
      x.shape.map((_, k) => k),
    );
    s += Number(await (p as ArrayImpl).item());
  }
  return s;
}

async function numericalJvp(f: Fn, primals: unknown[], tangents: unknown[], eps: number): Promise<unknown> {
  const fPos = f(...(axpy(eps, primals, tangents) as unknown[]));
  const fNeg = f(...(axpy(-eps, primals, tangents) as unknown[]));
  const [pl, def] = treeFlatten(fPos);
  const nl = treeFlatten(fNeg)[0];
  return treeUnflatten(
    def,
    pl.map((p, i) => {
      const pv = toValue(p);
      if (!pv.dtype.isFloat) return new Zero(pv.aval);
      return L.div(L.sub(pv, toValue(nl[i])), L.convertElementType(2 * eps, pv.dtype, true));
    }),
  );
}

async function close(what: string, a: unknown, b: unknown, atol: number, rtol: number): Promise<void> {
  const al = leavesOf(a);
  const bl = leavesOf(b);
  if (al.length !== bl.length) throw new Error(`${what}: ${al.length} leaves vs ${bl.length}`);
  for (let i = 0; i < al.length; i++) {
    const x = await (al[i] as ArrayImpl).data();
    const y = await (bl[i] as ArrayImpl).data();
    for (let k = 0; k < x.length; k++) {
      const u = Number(x[k]);
      const v = Number(y[k]);
      if (!(Math.abs(u - v) <= atol + rtol * Math.abs(v))) {
        throw new Error(
          `${what} mismatch at leaf ${i} element ${k}: ${u} vs ${v} (atol=${atol}, rtol=${rtol})`,
        );
      }
    }
  }
}

async function closeScalar(what: string, u: number, v: number, atol: number, rtol: number): Promise<void> {
  if (!(Math.abs(u - v) <= atol + rtol * Math.abs(v)))
    throw new Error(`${what} mismatch: ${u} vs ${v} (atol=${atol}, rtol=${rtol})`);
}

/**
 * jax.test_util.check_grads(f, args, order, modes): throws when forward or reverse derivatives
 * of `f` at `args` disagree with finite differences. Defaults suit float32 (eps 1e-3, tol 2e-2).
 */
export async function checkGrads(f: Fn, args: unknown[], opts: CheckGradsOptions = {}): Promise<void> {
  const order = opts.order ?? 2;
  const modes = opts.modes ?? ['fwd', 'rev'];
  const atol = opts.atol ?? 2e-2;
  const rtol = opts.rtol ?? 2e-2;
  const eps = opts.eps ?? 1e-3;
  const r = rng(opts.seed ?? 0);
  const check = async (g: Fn, a: unknown[], ord: number): Promise<void> => {
    if (modes.includes('fwd')) {
      const t = randLike(a, r) as unknown[];
      const [, tOut] = jvp(g, a, t);
      const expected = await numericalJvp(g, a, t, eps);
      await close(`JVP (order ${order - ord + 1})`, tOut, expected, atol, rtol);
      if (ord > 1) await check((...x: unknown[]) => jvp(g, x, t)[1], a, ord - 1);
    }
    if (modes.includes('rev')) {
      const [out, pullback] = vjp(g, ...a);
      const t = randLike(a, r) as unknown[];
      const tOut = await numericalJvp(g, a, t, eps);
      const ct = randLike(out, r);
      const ctOut = (pullback as Fn)(ct);
      await closeScalar(
        `VJP (order ${order - ord + 1})`,
        await inner(t, ctOut),
        await inner(tOut, ct),
        atol,
        rtol,
      );
      if (ord > 1) await check((...x: unknown[]) => (vjp(g, ...x)[1] as Fn)(ct), a, ord - 1);
    }
  };
  await check(f, args, order);
}
