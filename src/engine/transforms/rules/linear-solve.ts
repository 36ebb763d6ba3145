/**
 * @file Transformation rules of custom_linear_solve (primitives/linear-solve.ts), after JAX
 * 0.10.2's jax/_src/lax/control_flow/solves.py:
 *   - jvp: x = solve(b); x_dot = solve(b_dot - dA x), dA x the tangent of matvec in its consts
 *     with x held fixed (the implicit function theorem at the solution);
 *   - transpose (linear in b only): the cotangent of b is the transposed solve of x's cotangent,
 *     the same primitive with the tuple transposed (vecmat/matvec, transpose_solve/solve);
 *   - batch: which of b and x are batched is found by a fixed point over the four jaxprs (each
 *     jaxpr's outputs feed another's inputs), then every jaxpr is batched accordingly; consts the
 *     batching creates become leading operands of their jaxpr's group.
 */
import { bind, bind1, type Value } from '../../core/trace.js';
import type { ClosedJaxpr } from '../../ir/jaxpr.js';
import { neg } from '../../primitives/elementwise.js';
import {
  custom_linear_solve,
  type LinearSolveParams,
  LinearSolveTuple,
  splitLinearSolveArgs,
} from '../../primitives/linear-solve.js';
import { addTangents, instantiate, type JvpRule, jvpFlat, type Tangent, Zero } from '../jvp.js';
import { type TransposeRule, UndefPrimal } from '../transpose.js';
import { type BatchRule, moveBatchAxis } from '../vmap.js';
import { nonZero } from './common.js';
import { batchJaxpr, evalClosed } from './control.js';

custom_linear_solve.rules.jvp = ((primals, tangents, params) => {
  const { const_lengths, jaxprs } = params as unknown as LinearSolveParams;
  const x = bind(custom_linear_solve, primals, params);
  const [ps] = splitLinearSolveArgs(primals, const_lengths);
  const [pDots, bDot] = splitLinearSolveArgs(tangents, const_lengths);
  const nx = bDot.length;
  const xs = x.slice(0, nx);
  let rhs: Tangent[] = bDot;
  if (pDots.matvec.some(nonZero)) {
    // dA x: matvec's tangent in its consts, x's tangent zero.
    const mv = jaxprs.matvec!;
    const [, dAx] = jvpFlat(
      (...a) => evalClosed(mv, a),
      [...ps.matvec, ...xs],
      [...pDots.matvec, ...xs.map((v) => new Zero(v.aval))],
    );
    rhs = bDot.map((d, i) => addTangents(d, nonZero(dAx[i]) ? bind1(neg, [dAx[i]]) : dAx[i]));
  }
  const rhsVals = rhs.map(instantiate);
  const xDot = bind(custom_linear_solve, [...ps.toArray().flat(), ...rhsVals], params);
  return [x, [...xDot.slice(0, nx), ...xDot.slice(nx).map((a) => new Zero(a.aval))]];
}) satisfies JvpRule;

custom_linear_solve.rules.transpose = ((cts, args, params) => {
  const { const_lengths, jaxprs } = params as unknown as LinearSolveParams;
  if (!jaxprs.transpose_solve)
    throw new TypeError(
      'transpose_solve required for backwards mode automatic differentiation of custom_linear_solve',
    );
  const [ps, b] = splitLinearSolveArgs(args, const_lengths);
  if (
    ps
      .toArray()
      .flat()
      .some((p) => p instanceof UndefPrimal)
  )
    throw new Error(
      'custom_linear_solve: transposing with respect to its consts is not supported (nor in JAX)',
    );
  const xCt = cts.slice(0, b.length).map(instantiate);
  const out = bind(custom_linear_solve, [...(ps.transpose().toArray().flat() as Value[]), ...xCt], {
    const_lengths: const_lengths.transpose(),
    jaxprs: jaxprs.transpose(),
  });
  return [
    ...ps
      .toArray()
      .flat()
      .map(() => null),
    ...out.slice(0, b.length),
  ];
}) satisfies TransposeRule;

custom_linear_solve.rules.batch = ((vals, dims, params, axisSize) => {
  const { const_lengths, jaxprs } = params as unknown as LinearSolveParams;
  const [ps, b] = splitLinearSolveArgs(vals, const_lengths);
  const [pDims, bDims] = splitLinearSolveArgs(dims, const_lengths);
  const pBat = pDims.map((ds) => ds.map((d) => d !== null));
  const origBBat = bDims.map((d) => d !== null);
  const { matvec, vecmat, solve, transpose_solve: solveT } = jaxprs;
  const nOut = matvec!.outAvals.length;
  const nAux = solve!.outAvals.length - nOut;
  const or = (a: boolean[], c: boolean[]) => a.map((v, i) => v || c[i]);
  const same = (a: boolean[], c: boolean[]) => a.every((v, i) => v === c[i]);
  let bBat = origBBat;
  let xBat = solve!.outAvals.map(() => false);
  let solveX: boolean[] = [];
  for (let i = 0; ; i++) {
    if (i > 1 + origBBat.length + solve!.outAvals.length)
      throw new Error('custom_linear_solve: no fixed point');
    solveX = batchJaxpr(solve!, [...pBat.solve, ...bBat], xBat, axisSize).outBatched;
    let xOut = solveX;
    if (vecmat) {
      const v = batchJaxpr(vecmat, [...pBat.vecmat, ...bBat], bBat, axisSize).outBatched;
      xOut = or([...v, ...Array(nAux).fill(true)], solveX);
    }
    const xNoAux = xOut.slice(0, nOut);
    const mvB = batchJaxpr(matvec!, [...pBat.matvec, ...xNoAux], bBat, axisSize).outBatched;
    let bOut = or(mvB, origBBat);
    if (solveT) {
      const st = batchJaxpr(solveT, [...pBat.transpose_solve, ...xNoAux], xOut, axisSize).outBatched;
      bOut = or(bOut, st.slice(0, origBBat.length));
    }
    if (same(xOut, xBat) && same(bOut, bBat)) break;
    xBat = xOut;
    bBat = bOut;
  }
  const xNoAux = xBat.slice(0, nOut);
  const ins = new LinearSolveTuple<boolean[]>(
    [...pBat.matvec, ...xNoAux],
    [...pBat.vecmat, ...bBat],
    [...pBat.solve, ...bBat],
    [...pBat.transpose_solve, ...xNoAux],
  );
  const inst = new LinearSolveTuple<boolean[]>(bBat, bBat, xBat, xBat);
  const bodies = jaxprs.map((cj, k) => (cj ? batchJaxpr(cj, ins[k], inst[k], axisSize) : null));
  const newParams = ps.map((group, k) => [
    ...(bodies[k]?.consts ?? []),
    ...group.map((v, i) => (pDims[k][i] !== null ? moveBatchAxis(v, pDims[k][i], 0, axisSize) : v)),
  ]);
  const newB = b.map((v, i) => {
    // An unbatched b that must be batched is broadcast (moveBatchAxis from null).
    return bBat[i] ? moveBatchAxis(v, bDims[i], 0, axisSize) : v;
  });
  const outs = bind(custom_linear_solve, [...newParams.toArray().flat(), ...newB], {
    const_lengths: newParams.map((g) => g.length),
    jaxprs: bodies.map((bd) => (bd ? (bd.jaxpr as ClosedJaxpr) : null)),
  });
  return [outs, bodies.solve!.outBatched.map((bt) => (bt ? 0 : null))];
}) satisfies BatchRule;
