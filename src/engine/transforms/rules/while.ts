/**
 * @file Transformation rules of while (primitives/control.ts), after JAX 0.10.2's
 * jax/_src/lax/control_flow/loops.py: jvp (fixed point on the carries with nonzero tangents),
 * partial eval (a known loop for the known carries, the whole loop staged for the others, as JAX's
 * _while_partial_eval), transpose raising JAX's error, batch (fixed point on batched carries; a
 * batched predicate keeps the predicate batched, the lowering runs the loop while any lane is true
 * and selects, as JAX's lowering does).
 */

import { bind, type Value } from '../../core/trace.js';
import { ClosedJaxpr, Jaxpr, Var } from '../../ir/jaxpr.js';
import { type WhileParams, while_p } from '../../primitives/control.js';
import { instantiate, type JvpRule, Zero } from '../jvp.js';
import type { PartialEvalRule, PETracer } from '../partial-eval.js';
import type { TransposeRule } from '../transpose.js';
import { type BatchDim, type BatchRule, moveBatchAxis } from '../vmap.js';
import { nonZero } from './common.js';
import {
  batchJaxpr,
  groupOrder,
  jvpJaxpr,
  or,
  partialEvalJaxprNoUnits,
  permute,
  same,
  splitAt,
} from './control.js';

// ---- while ----------------------------------------------------------------------------------------

export const WHILE_REVERSE_ERROR =
  'Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with dynamic ' +
  'start/stop values. Try using lax.scan, or using fori_loop with static start/stop.';

while_p.rules.jvp = ((primals, tangents, params) => {
  const q = params as unknown as WhileParams;
  const nz = tangents.map(nonZero);
  const [, bconstNz, initNz] = splitAt(nz, q.cond_nconsts, q.body_nconsts);
  let carryNz = initNz;
  let body = jvpJaxpr(q.body_jaxpr, [...bconstNz, ...carryNz], carryNz);
  for (let it = 0; it <= carryNz.length; it++) {
    if (same(body.outNz, carryNz)) break;
    carryNz = or(carryNz, body.outNz);
    body = jvpJaxpr(q.body_jaxpr, [...bconstNz, ...carryNz], carryNz);
  }
  const [cconst, bconst, init] = splitAt(primals, q.cond_nconsts, q.body_nconsts);
  const [, bconstT, initT] = splitAt(tangents, q.cond_nconsts, q.body_nconsts);
  const bconstDot = bconstT.filter(nonZero);
  const initDot = initT.filter((_, i) => carryNz[i]).map(instantiate);
  const nb = q.body_nconsts;
  const nc = init.length;
  // [extra, bconst, carry, bconst_dot, carry_dot] -> [extra, bconst, bconst_dot, carry, carry_dot]
  const ne = body.consts.length;
  const order = groupOrder([ne, nb, nc, bconstDot.length, initDot.length], [0, 1, 3, 2, 4]);
  const bodyJaxpr = permute(
    body.jaxpr,
    order,
    body.jaxpr.outAvals.map((_, i) => i),
  );
  const cj = q.cond_jaxpr.jaxpr;
  const condJaxpr = new ClosedJaxpr(
    new Jaxpr(cj.constvars, [...cj.invars, ...initDot.map((d) => new Var(d.aval))], cj.outvars, cj.eqns),
    q.cond_jaxpr.consts,
  );
  const outs = bind(while_p, [...cconst, ...body.consts, ...bconst, ...bconstDot, ...init, ...initDot], {
    ...params,
    cond_jaxpr: condJaxpr,
    body_jaxpr: bodyJaxpr,
    body_nconsts: ne + nb + bconstDot.length,
  });
  const carry = outs.slice(0, nc);
  let k = nc;
  return [carry, carry.map((p, i) => (carryNz[i] ? outs[k++] : new Zero(p.aval)))];
}) satisfies JvpRule;

while_p.rules.partialEval = ((trace, tracers: PETracer[], params) => {
  const q = params as unknown as WhileParams;
  const uk = tracers.map((t) => !t.pval.isKnown);
  const [ccUk, bcUk, initUk] = splitAt(uk, q.cond_nconsts, q.body_nconsts);
  const stageAll = () => trace.stage(while_p, tracers, params, q.body_jaxpr.outAvals);
  const nofwd = (n: number) => Array<boolean>(n).fill(false);
  let carryUk = initUk;
  let split = partialEvalJaxprNoUnits(q.body_jaxpr, [...bcUk, ...carryUk], carryUk, nofwd(uk.length));
  for (let it = 0; it <= carryUk.length; it++) {
    const outUk = split.outUk;
    if (same(outUk, carryUk)) break;
    carryUk = or(carryUk, outUk);
    split = partialEvalJaxprNoUnits(q.body_jaxpr, [...bcUk, ...carryUk], carryUk, nofwd(uk.length));
  }
  const condSplit = partialEvalJaxprNoUnits(q.cond_jaxpr, [...ccUk, ...carryUk], [false], nofwd(uk.length));
  if (condSplit.outUk[0] || uk.every((u) => !u) || carryUk.every(Boolean)) return stageAll();
  // The known carries run in a loop of their own (the residual outputs dropped); the unknown
  // ones come from the whole loop, staged (it recomputes the known part, as JAX does).
  const known = (t: PETracer[], mask: boolean[]) => t.filter((_, i) => !mask[i]).map((x) => x.pval.known!);
  const [cc, bc, init] = splitAt(tracers, q.cond_nconsts, q.body_nconsts);
  const kb = split.known;
  const nKnownCarry = carryUk.filter((u) => !u).length;
  const bodyKnown = new ClosedJaxpr(
    new Jaxpr(
      kb.jaxpr.jaxpr.constvars,
      kb.jaxpr.jaxpr.invars,
      kb.jaxpr.jaxpr.outvars.slice(0, nKnownCarry),
      kb.jaxpr.jaxpr.eqns,
    ),
    [],
  );
  const kc = condSplit.known;
  const condKnown = new ClosedJaxpr(
    new Jaxpr(
      kc.jaxpr.jaxpr.constvars,
      kc.jaxpr.jaxpr.invars,
      kc.jaxpr.jaxpr.outvars.slice(0, 1),
      kc.jaxpr.jaxpr.eqns,
    ),
    [],
  );
  const outKnown = bind(
    while_p,
    [...kc.consts, ...known(cc, ccUk), ...kb.consts, ...known(bc, bcUk), ...known(init, carryUk)],
    {
      cond_jaxpr: condKnown,
      body_jaxpr: bodyKnown,
      cond_nconsts: kc.consts.length + ccUk.filter((u) => !u).length,
      body_nconsts: kb.consts.length + bcUk.filter((u) => !u).length,
    },
  );
  const all = stageAll();
  let ki = 0;
  return carryUk.map((u, i) => (u ? all[i] : outKnown[ki++]));
}) satisfies PartialEvalRule;

while_p.rules.transpose = (() => {
  throw new Error(WHILE_REVERSE_ERROR);
}) satisfies TransposeRule;

while_p.rules.batch = ((vals, dims, params, axisSize) => {
  const q = params as unknown as WhileParams;
  const bat = dims.map((d) => d !== null);
  const [ccBat, bcBat, initBat] = splitAt(bat, q.cond_nconsts, q.body_nconsts);
  let carryBat = initBat;
  for (let it = 0; it <= carryBat.length; it++) {
    const out = batchJaxpr(q.body_jaxpr, [...bcBat, ...carryBat], carryBat, axisSize).outBatched;
    if (same(out, carryBat)) break;
    carryBat = or(carryBat, out);
  }
  const predBat = batchJaxpr(q.cond_jaxpr, [...ccBat, ...carryBat], [false], axisSize).outBatched[0];
  // A batched predicate batches every carry: lanes that are done keep their values (the
  // lowering selects), so each needs its own copy.
  if (predBat) carryBat = carryBat.map(() => true);
  const body = batchJaxpr(q.body_jaxpr, [...bcBat, ...carryBat], carryBat, axisSize);
  const cond = batchJaxpr(q.cond_jaxpr, [...ccBat, ...carryBat], [predBat], axisSize);
  const [cc, bc, init] = splitAt(vals, q.cond_nconsts, q.body_nconsts);
  const [ccD, bcD, initD] = splitAt(dims, q.cond_nconsts, q.body_nconsts);
  const front = (xs: Value[], ds: BatchDim[]) =>
    xs.map((x, i) => (ds[i] === null ? x : moveBatchAxis(x, ds[i], 0, axisSize)));
  const newInit = init.map((x, i) => (carryBat[i] ? moveBatchAxis(x, initD[i], 0, axisSize) : x));
  const outs = bind(
    while_p,
    [...cond.consts, ...front(cc, ccD), ...body.consts, ...front(bc, bcD), ...newInit],
    {
      ...params,
      cond_jaxpr: cond.jaxpr,
      body_jaxpr: body.jaxpr,
      cond_nconsts: cond.consts.length + q.cond_nconsts,
      body_nconsts: body.consts.length + q.body_nconsts,
    },
  );
  return [outs, carryBat.map((b) => (b ? 0 : null))];
}) satisfies BatchRule;
