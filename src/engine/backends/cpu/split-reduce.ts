/**
 * @file Reductions over several axes whose fused body reads a reduced index other than through the
 * flat index (a broadcast operand: `mean((tanh(x @ w + b) - y)**2)` reads `b[r1]`) have no
 * WebAssembly SIMD form (wasm/simd-reduce.ts runs several reduced axes as one flat one), so they
 * ran as a scalar JavaScript loop: 10 ms for that loss on 256x512, with its tanh polynomial per
 * element, against 0.7 ms for the same chain as a map kernel. Here such a kernel becomes a map
 * kernel that computes the body into a temporary (SIMD, broadcasts and all) and a reduction that
 * loads it at the flat index (SIMD too).
 *
 * The bits do not change: the map stores each body value as the dtype's value the fused loop
 * computed (float32 rounding after every operation in both), and the reduction adds them in the
 * same lanes and order, since its shapes, op and epilogue are the kernel's own. Contractions and
 * kernels that round after every add keep one accumulator, which a plain load would not
 * (layout.ts laneSplit), so they are left as they are, as are reductions whose innermost reduced
 * axis is no multiple of 8 (the split one would not be SIMD either) and temporaries past 4M
 * elements.
 */
import {
  type KernelProgram,
  linearIndex,
  load,
  loopVars,
  type MapKernel,
  type ReduceKernel,
  rewrite,
  type SExpr,
  variable,
} from '../../compile/kir.js';
import { sizeOf, stridesOf } from '../../core/shape.js';
import { isContraction, reduceLayout } from './layout.js';
import { readsVars } from './wasm/simd-reduce.js';

/** Elements of the temporary a split may use, and the least worth splitting. */
const MAX_SPLIT = 1 << 22;
const MIN_SPLIT = 1 << 10;

/** The flat index over the kernel's output and reduced axes when it wants a split, else null. */
function splitIndex(k: ReduceKernel): SExpr | null {
  const nRed = k.redShape.length;
  const dt = k.body.dt;
  if (nRed < 2 || !dt.isFloat || dt.name === 'float64' || dt.lanes !== 1) return null;
  if (k.roundEach || isContraction(k.body) || reduceLayout(k) !== 'rows') return null;
  if (k.redShape[nRed - 1] % 8 !== 0) return null;
  const n = sizeOf(k.outShape) * sizeOf(k.redShape);
  if (n < MIN_SPLIT || n > MAX_SPLIT) return null;
  const rvars = loopVars('r', nRed);
  const flat = linearIndex(
    [...loopVars('i', k.outShape.length), ...rvars],
    stridesOf([...k.outShape, ...k.redShape]),
  );
  return readsVars(k.body, flat, new Set(rvars.map((v) => v.name))) ? flat : null;
}

/** Splits the program's reductions that want it (in place); whether any was. */
export function splitReductions(p: KernelProgram): boolean {
  let changed = false;
  for (let at = 0; at < p.kernels.length; at++) {
    const k = p.kernels[at];
    const flat = k.kind === 'reduce' ? splitIndex(k) : null;
    if (k.kind !== 'reduce' || !flat) continue;
    const nOut = k.outShape.length;
    const shape = [...k.outShape, ...k.redShape];
    const id = p.buffers.length;
    p.buffers.push({ id, dtype: k.body.dt, size: sizeOf(shape), role: 'temp' });
    const expr = rewrite(k.body, (e) =>
      e.k === 'var' && /^r\d+$/.test(e.name) ? variable(`i${nOut + Number(e.name.slice(1))}`) : undefined,
    );
    const map: MapKernel = { kind: 'map', out: id, shape, expr };
    p.kernels[at] = { ...k, body: load(id, flat, k.body.dt) };
    p.kernels.splice(at, 0, map);
    at++;
    changed = true;
  }
  return changed;
}
