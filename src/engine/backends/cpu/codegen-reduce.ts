/**
 * @file Reduction and argreduce kernels as JavaScript loop nests (codegen.ts renders the rest).
 */

import type { ArgReduceKernel, ReduceKernel } from '../../compile/kir.js';
import type { DType } from '../../core/dtype.js';
import { combine, Emitter, loopNest, outStart, REDUCE_INIT, varLevels } from './js-emit.js';
import { renderStore, unsigned, wrap } from './js-ops.js';

export function renderReduce(k: ReduceKernel, accDt: DType, outDt: DType): string[] {
  const ovars = k.outShape.map((_, i) => `i${i}`);
  const rvars = k.redShape.map((_, i) => `r${i}`);
  const nOut = ovars.length;
  const em = new Emitter(varLevels([...ovars, ...rvars]), nOut + rvars.length);
  const body = em.emit(k.body);
  // The epilogue runs once per output element, after the reduction loops.
  const epi = new Emitter(varLevels(ovars), nOut, 'e', 'accv', nOut - 1);
  const result = k.epilogue ? epi.emit(k.epilogue, nOut - 1) : 'accv';
  const finish = [
    `const accv = ${accDt.isFloat ? wrap(accDt, 'acc') : 'acc'};`,
    ...epi.lines[nOut],
    renderStore(outDt, `b${k.out}`, 'o++', result),
  ];
  const loops = [
    ...ovars.map((v, i) => ({ v, extent: k.outShape[i] })),
    ...rvars.map((v, i) => ({ v, extent: k.redShape[i] })),
  ];
  const init = REDUCE_INIT[k.op](accDt);
  const inner = [`acc = ${combine(k.op, accDt, 'acc', body)};`];
  if (nOut === 0 && rvars.length > 0) {
    // A full reduction runs its outermost reduced loop in consecutive ranges, in order (its
    // rounding depends on the order): each call continues from the accumulator `acc0` the last
    // one returned (chunks.ts runCarried). Every call stores its result, so the last one's stays;
    // a finish that ran only in the last call would lack V8 type feedback when the function is
    // optimized, and deoptimize it.
    const carry = new Map([
      [0, { before: [`let acc = lo === 0 ? ${init} : acc0;`], after: [...finish, 'return acc;'] }],
    ]);
    return ['let o = 0;', ...em.lines[0], ...loopNest(loops, em, 0, inner, carry, true)];
  }
  const around = new Map([[nOut, { before: [`let acc = ${init};`], after: finish }]]);
  // Outputs are independent: the outer output loop can run in ranges.
  const ranged = nOut > 0;
  return [outStart(k.outShape, ranged), ...em.lines[0], ...loopNest(loops, em, 0, inner, around, ranged)];
}

export function renderArgReduce(k: ArgReduceKernel, valDt: DType, outDt: DType): string[] {
  const ovars = k.outShape.map((_, i) => `i${i}`);
  const nOut = ovars.length;
  const em = new Emitter(varLevels([...ovars, 'r0']), nOut + 1);
  // `best` holds the compared value: a uint32's unsigned value, not its bit pattern.
  const v = unsigned(valDt, em.emit(k.body));
  const better = k.op === 'argmax' ? '>' : '<';
  const nanCheck = valDt.isFloat ? ` || ${v} !== ${v}` : '';
  const inner = [
    `if (r0 === 0 || (best === best && (${v} ${better} best${nanCheck}))) { best = ${v}; bi = r0; }`,
  ];
  const loops = [
    ...ovars.map((name, i) => ({ v: name, extent: k.outShape[i] })),
    { v: 'r0', extent: k.redSize },
  ];
  const around = new Map([
    [
      nOut,
      {
        before: [`let best = ${valDt.isBig ? '0n' : '0'};`, 'let bi = 0;'],
        after: [renderStore(outDt, `b${k.out}`, 'o++', outDt.isBig ? 'BigInt(bi)' : 'bi')],
      },
    ],
  ]);
  const ranged = nOut > 0;
  return [outStart(k.outShape, ranged), ...em.lines[0], ...loopNest(loops, em, 0, inner, around, ranged)];
}
