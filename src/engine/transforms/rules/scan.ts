/**
 * @file Transformation rules of scan (primitives/control.ts), after JAX 0.10.2's
 * jax/_src/lax/control_flow/loops.py: jvp (fixed point on carry tangents), partial eval
 * (known/unknown split of the body; residuals forwarded from consts/xs where possible, otherwise
 * stacked as extra ys of the known scan), transpose (a reverse scan over the transposed body with
 * the consts' cotangents accumulated in the carry), batch (xs/ys batched at axis 1, carries batched
 * by fixed point).
 */

import { bind, bind1, type Value } from '../../core/trace.js';
import { type ScanParams, scan_p, stackedAval } from '../../primitives/control.js';
import { add_any, instantiate, type JvpRule, Zero, zerosLike } from '../jvp.js';
import type { PartialEvalRule, PETracer } from '../partial-eval.js';
import { traceToJaxpr } from '../staging.js';
import { backwardPass, type TransposeArg, type TransposeRule, UndefPrimal } from '../transpose.js';
import { type BatchRule, moveBatchAxis } from '../vmap.js';
import { nonZero } from './common.js';
import {
  batchJaxpr,
  closeOver,
  groupOrder,
  jvpJaxpr,
  or,
  partialEvalJaxprNoUnits,
  permute,
  same,
  splitAt,
  sum,
} from './control.js';

// ---- scan -----------------------------------------------------------------------------------------

scan_p.rules.jvp = ((primals, tangents, params) => {
  const q = params as unknown as ScanParams;
  const nCarry = q.num_carry;
  const nConsts = q.num_consts;
  const nXs = primals.length - nConsts - nCarry;
  const nYs = q.jaxpr.outAvals.length - nCarry;
  const nz = tangents.map(nonZero);
  const [constNz, initNz, xsNz] = splitAt(nz, nConsts, nCarry);
  const ysInst = Array<boolean>(nYs).fill(false);
  let carryNz = initNz;
  let body = jvpJaxpr(q.jaxpr, [...constNz, ...carryNz, ...xsNz], [...carryNz, ...ysInst]);
  for (let it = 0; it <= nCarry; it++) {
    const out = body.outNz.slice(0, nCarry);
    if (same(out, carryNz)) break;
    carryNz = or(carryNz, out);
    body = jvpJaxpr(q.jaxpr, [...constNz, ...carryNz, ...xsNz], [...carryNz, ...ysInst]);
  }
  const [consts, init, xs] = splitAt(primals, nConsts, nCarry);
  const [constT, initT, xsT] = splitAt(tangents, nConsts, nCarry);
  const constDot = constT.filter(nonZero);
  const initDot = initT.filter((_, i) => carryNz[i]).map(instantiate);
  const xsDot = xsT.filter(nonZero);
  const ne = body.consts.length;
  const nOutDot = sum(body.outNz);
  const nCarryDot = initDot.length;
  // ins [extra, consts, carry, xs, consts_dot, carry_dot, xs_dot] -> scan order
  const ins = groupOrder(
    [ne, nConsts, nCarry, nXs, constDot.length, nCarryDot, xsDot.length],
    [0, 1, 4, 2, 5, 3, 6],
  );
  // outs [carry, ys, carry_dot, ys_dot] -> [carry, carry_dot, ys, ys_dot]
  const outsOrder = groupOrder([nCarry, nYs, nCarryDot, nOutDot - nCarryDot], [0, 2, 1, 3]);
  const jaxpr = permute(body.jaxpr, ins, outsOrder);
  const outs = bind(scan_p, [...body.consts, ...consts, ...constDot, ...init, ...initDot, ...xs, ...xsDot], {
    ...params,
    jaxpr,
    num_consts: ne + nConsts + constDot.length,
    num_carry: nCarry + nCarryDot,
  });
  const [carry, carryDot, ys, ysDot] = splitAt(outs, nCarry, nCarryDot, nYs);
  const primalsOut = [...carry, ...ys];
  const dots = [...carryDot, ...ysDot];
  let k = 0;
  return [primalsOut, primalsOut.map((p, i) => (body.outNz[i] ? dots[k++] : new Zero(p.aval)))];
}) satisfies JvpRule;

scan_p.rules.partialEval = ((trace, tracers: PETracer[], params) => {
  const q = params as unknown as ScanParams;
  const nCarry = q.num_carry;
  const nConsts = q.num_consts;
  const nYs = q.jaxpr.outAvals.length - nCarry;
  const uk = tracers.map((t) => !t.pval.isKnown);
  const [constUk, initUk, xsUk] = splitAt(uk, nConsts, nCarry);
  // Residuals may come straight from known consts and xs, never from the carry.
  const fwd = uk.map((_, i) => i < nConsts || i >= nConsts + nCarry);
  const ysInst = Array<boolean>(nYs).fill(false);
  let carryUk = initUk;
  let split = partialEvalJaxprNoUnits(
    q.jaxpr,
    [...constUk, ...carryUk, ...xsUk],
    [...carryUk, ...ysInst],
    fwd,
  );
  for (let it = 0; it <= nCarry; it++) {
    const out = split.outUk.slice(0, nCarry);
    if (same(out, carryUk)) break;
    carryUk = or(carryUk, out);
    split = partialEvalJaxprNoUnits(q.jaxpr, [...constUk, ...carryUk, ...xsUk], [...carryUk, ...ysInst], fwd);
  }
  const unknowns = [...constUk, ...carryUk, ...xsUk];
  const knownIns = tracers.filter((_, i) => !unknowns[i]).map((t) => t.pval.known!);
  const nConstsKnown = nConsts - sum(constUk);
  const nCarryKnown = nCarry - sum(carryUk);
  const kb = split.known;
  let knownOuts: Value[] = [];
  if (kb.jaxpr.outAvals.length) {
    knownOuts = bind(scan_p, [...kb.consts, ...knownIns], {
      ...params,
      jaxpr: kb.jaxpr,
      num_consts: kb.consts.length + nConstsKnown,
      num_carry: nCarryKnown,
    });
  }
  const extOuts = knownOuts.slice(split.numKnownOuts);
  // Residuals read once per iteration from a slice (stacked outputs, forwarded xs) are
  // extensive; those from consts are intensive (loop-invariant) and become scan consts.
  let e = 0;
  const resVals: Value[] = [];
  const resExt: boolean[] = [];
  for (const src of split.res) {
    if (src.kind === 'out') {
      resVals.push(extOuts[e++]);
      resExt.push(true);
    } else if (src.kind === 'const') {
      resVals.push(src.val);
      resExt.push(false);
    } else {
      resVals.push(knownIns[src.index]);
      resExt.push(src.index >= nConstsKnown + nCarryKnown);
    }
  }
  const nRes = resVals.length;
  const intRes = resVals.filter((_, i) => !resExt[i]);
  const extRes = resVals.filter((_, i) => resExt[i]);
  const nUnkIn = sum(unknowns);
  // binders [res..., unknown ins] -> [int_res, unknown ins, ext_res]
  const resIdx = resVals.map((_, i) => i);
  const order = [
    ...resIdx.filter((i) => !resExt[i]),
    ...Array.from({ length: nUnkIn }, (_, i) => nRes + i),
    ...resIdx.filter((i) => resExt[i]),
  ];
  const jaxprUnknown = permute(
    split.unknown,
    order,
    split.unknown.outAvals.map((_, i) => i),
  );
  const raise = (v: Value) => trace.fullRaise(v) as PETracer;
  const unkTracers = tracers.filter((_, i) => unknowns[i]);
  const outAvals = split.unknown.outAvals.map((a, i) => (i < sum(carryUk) ? a : stackedAval(a, q.length)));
  const unkOuts = trace.stage(
    scan_p,
    [...intRes.map(raise), ...unkTracers, ...extRes.map(raise)],
    { ...params, jaxpr: jaxprUnknown, num_consts: intRes.length + sum(constUk), num_carry: sum(carryUk) },
    outAvals,
  );
  let ki = 0;
  let ui = 0;
  return split.outUk.map((u) => (u ? unkOuts[ui++] : knownOuts[ki++]));
}) satisfies PartialEvalRule;

scan_p.rules.transpose = ((cts, args, params) => {
  const q = params as unknown as ScanParams;
  const nCarry = q.num_carry;
  const nConsts = q.num_consts;
  const [consts, carry, xs] = splitAt(args, nConsts, nCarry);
  const constLin = consts.map((a) => a instanceof UndefPrimal);
  const xsLin = xs.map((a) => a instanceof UndefPrimal);
  // Every carry is linear here; a carry that is a known value (an instantiated zero tangent)
  // just gets no cotangent.
  const linear = [...constLin, ...carry.map(() => true), ...xsLin];
  const ires = consts.filter((a): a is Value => !(a instanceof UndefPrimal));
  const eres = xs.filter((a): a is Value => !(a instanceof UndefPrimal));
  const [ctCarry, ctYs] = splitAt(cts, nCarry);
  const ctCarryVals = ctCarry.map(instantiate);
  const ysNz = ctYs.map(nonZero);
  const ctYsVals = ctYs.filter(nonZero);
  const body = q.jaxpr;
  const constLinAvals = body.inAvals.slice(0, nConsts).filter((_, i) => constLin[i]);
  const carryAvals = body.inAvals.slice(nConsts, nConsts + nCarry);
  const yAvals = body.outAvals.slice(nCarry).filter((_, i) => ysNz[i]);
  const eresAvals = body.inAvals.slice(nConsts + nCarry).filter((_, i) => !xsLin[i]);
  const iresAvals = ires.map((r) => r.aval);
  const nCl = constLinAvals.length;
  // Transposed body: consts [ires], carry [ct_consts, ct_carry], xs [ct_ys, eres]
  //   -> carry [ct_consts + this iteration's, ct_carry_in], ys [ct_xs]
  const traced = traceToJaxpr(
    (...vs) => {
      const [ir, ctc, ctcar, cty, er] = splitAt(vs, iresAvals.length, nCl, nCarry, yAvals.length);
      let a = 0;
      let b = 0;
      const targs: TransposeArg[] = body.inAvals.map((av, i) => {
        if (linear[i]) return new UndefPrimal(av);
        return i < nConsts ? ir[a++] : er[b++];
      });
      let y = 0;
      const ctsIn = body.outAvals.map((av, i) => {
        if (i < nCarry) return ctcar[i];
        return ysNz[i - nCarry] ? cty[y++] : new Zero(av);
      });
      const outs = backwardPass(body.jaxpr, body.consts, targs, ctsIn);
      const [dc, dcar, dxs] = splitAt(outs, nCl, nCarry);
      const acc = ctc.map((c, i) => (dc[i] instanceof Zero ? c : bind1(add_any, [c, dc[i] as Value])));
      return [...acc, ...dcar.map(instantiate), ...dxs.map(instantiate)];
    },
    [...iresAvals, ...constLinAvals, ...carryAvals, ...yAvals, ...eresAvals],
  );
  const t = closeOver(traced);
  const outs = bind(
    scan_p,
    [...t.consts, ...ires, ...constLinAvals.map((av) => zerosLike(av)), ...ctCarryVals, ...ctYsVals, ...eres],
    {
      ...params,
      jaxpr: t.jaxpr,
      reverse: !q.reverse,
      num_consts: t.consts.length + ires.length,
      num_carry: nCl + nCarry,
    },
  );
  const [ctConsts, ctInit, ctXs] = splitAt(outs, nCl, nCarry);
  let c = 0;
  let x = 0;
  return [
    ...consts.map((a) => (a instanceof UndefPrimal ? ctConsts[c++] : null)),
    ...carry.map((a, i) => (a instanceof UndefPrimal ? ctInit[i] : null)),
    ...xs.map((a) => (a instanceof UndefPrimal ? ctXs[x++] : null)),
  ];
}) satisfies TransposeRule;

scan_p.rules.batch = ((vals, dims, params, axisSize) => {
  const q = params as unknown as ScanParams;
  const nCarry = q.num_carry;
  const nConsts = q.num_consts;
  const nYs = q.jaxpr.outAvals.length - nCarry;
  const bat = dims.map((d) => d !== null);
  const [constBat, initBat, xsBat] = splitAt(bat, nConsts, nCarry);
  const ysInst = Array<boolean>(nYs).fill(false);
  let carryBat = initBat;
  let body = batchJaxpr(q.jaxpr, [...constBat, ...carryBat, ...xsBat], [...carryBat, ...ysInst], axisSize);
  for (let it = 0; it <= nCarry; it++) {
    const out = body.outBatched.slice(0, nCarry);
    if (same(out, carryBat)) break;
    carryBat = or(carryBat, out);
    body = batchJaxpr(q.jaxpr, [...constBat, ...carryBat, ...xsBat], [...carryBat, ...ysInst], axisSize);
  }
  const [consts, init, xs] = splitAt(vals, nConsts, nCarry);
  const [constD, initD, xsD] = splitAt(dims, nConsts, nCarry);
  const newConsts = consts.map((x, i) => (constD[i] === null ? x : moveBatchAxis(x, constD[i], 0, axisSize)));
  const newInit = init.map((x, i) => (carryBat[i] ? moveBatchAxis(x, initD[i], 0, axisSize) : x));
  const newXs = xs.map((x, i) => (xsD[i] === null ? x : moveBatchAxis(x, xsD[i], 1, axisSize)));
  const outs = bind(scan_p, [...body.consts, ...newConsts, ...newInit, ...newXs], {
    ...params,
    jaxpr: body.jaxpr,
    num_consts: body.consts.length + nConsts,
  });
  const ysBat = body.outBatched.slice(nCarry);
  return [outs, [...carryBat.map((b) => (b ? 0 : null)), ...ysBat.map((b) => (b ? 1 : null))]];
}) satisfies BatchRule;
