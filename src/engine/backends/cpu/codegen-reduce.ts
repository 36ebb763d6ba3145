/**
 * @file Reduction and argreduce kernels as JavaScript loop nests (codegen.ts renders the rest), in
 * the memory layout and order of accumulation layout.ts decides (the SIMD kernels follow it).
 */

import type { ArgReduceKernel, ReduceKernel } from '../../compile/kir.js';
import type { DType } from '../../core/dtype.js';
import { combine, Emitter, type Loop, loopNest, outStart, REDUCE_INIT, varLevels } from './js-emit.js';
import { renderStore, unsigned, wrap } from './js-ops.js';
import { laneCombine, laneSplit, reduceLayout } from './layout.js';

export function renderReduce(k: ReduceKernel, accDt: DType, outDt: DType): string[] {
  if (reduceLayout(k) === 'columns') return renderColumns(k, accDt, outDt);
  const ovars = k.outShape.map((_, i) => `i${i}`);
  const rvars = k.redShape.map((_, i) => `r${i}`);
  const nOut = ovars.length;
  const em = new Emitter(varLevels([...ovars, ...rvars]), nOut + rvars.length);
  const body = em.emit(k.body);
  // The epilogue runs once per output element, after the reduction loops.
  const epi = new Emitter(varLevels(ovars), nOut, 'e', 'accv', nOut - 1);
  const result = k.epilogue ? epi.emit(k.epilogue, nOut - 1) : 'accv';
  const lanes = laneSplit(k, accDt);
  const op = k.op === 'mul' ? '*' : '+';
  const finish = [
    ...(lanes ? [`const acc = ${laneCombine(op, (j) => `L[${j}]`)};`] : []),
    `const accv = ${accDt.isFloat ? wrap(accDt, 'acc') : 'acc'};`,
    ...epi.lines[nOut],
    renderStore(outDt, `b${k.out}`, 'o++', result),
  ];
  const loops = [
    ...ovars.map((v, i) => ({ v, extent: k.outShape[i] })),
    ...rvars.map((v, i) => ({ v, extent: k.redShape[i] })),
  ];
  const init = REDUCE_INIT[k.op](accDt);
  // Lanes (layout.ts): element r of the innermost reduced loop goes to lane r mod 8.
  const rl = rvars[rvars.length - 1];
  const step = combine(k.op, accDt, 'acc', body);
  const inner = lanes
    ? [`{ const j = ${rl} & 7; L[j] = L[j] ${op} ${body}; }`]
    : [`acc = ${k.roundEach && accDt.isFloat ? wrap(accDt, step) : step};`];
  if (nOut === 0 && rvars.length > 0) {
    // A full reduction runs its outermost reduced loop in consecutive ranges, in order (its
    // rounding depends on the order): each call continues from the accumulator `acc0` the last
    // one returned (chunks.ts runCarried). Every call stores its result, so the last one's stays;
    // a finish that ran only in the last call would lack V8 type feedback when the function is
    // optimized, and deoptimize it.
    const carry = new Map([
      [
        0,
        lanes
          ? {
              before: [`const L = lo === 0 ? new Float64Array(8).fill(${init}) : acc0;`],
              after: [...finish, 'return L;'],
            }
          : { before: [`let acc = lo === 0 ? ${init} : acc0;`], after: [...finish, 'return acc;'] },
      ],
    ]);
    return ['let o = 0;', ...em.lines[0], ...loopNest(loops, em, 0, inner, carry, true)];
  }
  const around = new Map([
    [nOut, { before: [lanes ? `L.fill(${init});` : `let acc = ${init};`], after: finish }],
  ]);
  // Outputs are independent: the outer output loop can run in ranges.
  const ranged = nOut > 0;
  return [
    outStart(k.outShape, ranged),
    ...(lanes ? ['const L = new Float64Array(8);'] : []),
    ...em.lines[0],
    ...loopNest(loops, em, 0, inner, around, ranged),
  ];
}

/**
 * JavaScript that finishes one output of `k` from its accumulated value `acc`: the rounding, the
 * epilogue (its loop variables `i0..` in scope) and the store at `at` (the SIMD kernels' wrappers).
 */
export function finishLines(k: ReduceKernel, accDt: DType, outDt: DType, at: string): string[] {
  const ovars = k.outShape.map((_, i) => `i${i}`);
  const epi = new Emitter(new Map(ovars.map((v) => [v, 0])), 1, 'e', 'accv', 0);
  const result = k.epilogue ? epi.emit(k.epilogue, 0) : 'accv';
  return [
    `const accv = ${accDt.isFloat ? wrap(accDt, 'acc') : 'acc'};`,
    ...epi.lines.flat(),
    renderStore(outDt, `b${k.out}`, at, result),
  ];
}

/**
 * A `columns` reduction: the outer output loops, then the reduced loops, then the last output
 * loop innermost, each output accumulating in `A` in order; then the results, row by row. With
 * one output dimension its loop is the ranged one (innermost here), so chunks are column ranges.
 */
function renderColumns(k: ReduceKernel, accDt: DType, outDt: DType): string[] {
  const nOut = k.outShape.length;
  const ovars = k.outShape.map((_, i) => `i${i}`);
  const rvars = k.redShape.map((_, i) => `r${i}`);
  const last = ovars[nOut - 1];
  const order = [...ovars.slice(0, -1), ...rvars, last];
  const extents = [...k.outShape.slice(0, -1), ...k.redShape, k.outShape[nOut - 1]];
  const em = new Emitter(varLevels(order), order.length);
  const body = em.emit(k.body);
  const loops: Loop[] = order.map((v, i) => ({ v, extent: extents[i] }));
  const oneDim = nOut === 1;
  // The accumulators of the current row of outputs, indexed from the range's start.
  const base = oneDim ? 'lo' : '0';
  const width = oneDim ? 'hi - lo' : String(k.outShape[nOut - 1]);
  const init = REDUCE_INIT[k.op](accDt);
  const step = combine(k.op, accDt, `A[${last} - ${base}]`, body);
  const inner = [`A[${last} - ${base}] = ${k.roundEach && accDt.isFloat ? wrap(accDt, step) : step};`];
  // The epilogue, per output in the second pass over the row.
  const epi = new Emitter(varLevels(ovars), nOut, 'e', 'accv', nOut - 1);
  const result = k.epilogue ? epi.emit(k.epilogue, nOut - 1) : 'accv';
  const rowStart = oneDim ? '0' : `o${nOut - 2} * ${k.outShape[nOut - 1]}`;
  const results = [
    `for (let ${last} = ${oneDim ? 'lo' : '0'}; ${last} < ${oneDim ? 'hi' : String(k.outShape[nOut - 1])}; ${last}++) {`,
    `  const acc = A[${last} - ${base}];`,
    `  const accv = ${accDt.isFloat ? wrap(accDt, 'acc') : 'acc'};`,
    ...epi.lines.flat().map((l) => `  ${l}`),
    `  ${renderStore(outDt, `b${k.out}`, `${rowStart} + ${last}`, result)}`,
    '}',
  ];
  // Row offsets of the outer output loops, for the stores.
  for (let d = 0; d < nOut - 1; d++) {
    loops[d].head = [`const o${d} = ${d === 0 ? '' : `o${d - 1} * ${k.outShape[d]} + `}i${d};`];
  }
  const fill = accDt.isBig ? `A.fill(${init});` : `A.fill(${init});`;
  const around = new Map([[nOut - 1, { before: [fill], after: results }]]);
  return [
    `const A = ${accDt.isBig ? `new Array(${width})` : `new Float64Array(${width})`};`,
    ...em.lines[0],
    ...loopNest(loops, em, 0, inner, around, oneDim ? order.length - 1 : true),
  ];
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
