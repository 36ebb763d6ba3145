/**
 * @file The gather indexer of NumPy indexing, JAX's _index_to_gather (jax/_src/numpy/
 * indexing.py): a parsed index (concrete boolean masks replaced by the integer arrays of their
 * true positions) becomes gather indices, dimension numbers and slice sizes, with NumPy's
 * placement of advanced indices (together where they are contiguous, first otherwise), strided
 * and reversed slices as iota indices, and the newaxis and reversed dimensions to restore after.
 * getitem's gather path and every at[] update (a scatter with the same dimension numbers) use it.
 */
import { ArrayImpl } from '../core/array.js';
import { hostArray, toValue } from '../core/coerce.js';
import { int32 } from '../core/dtype.js';
import { sizeOf } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import * as lax from '../lax/index.js';
import { GatherDimensionNumbers } from '../primitives/indexing.js';
import {
  expandEllipses,
  IndexError,
  NonConcreteBooleanIndexError,
  ndimOf,
  type Parsed,
  type Slice,
  sliceIndices,
  validateSlices,
} from './index-parse.js';
import { broadcastTo } from './util.js';

// ---- the gather indexer (JAX's _index_to_gather) --------------------------------------------------

export interface GatherIndexer {
  sliceShape: number[];
  gatherSliceShape: number[];
  gatherIndices: Value;
  dnums: GatherDimensionNumbers;
  uniqueIndices: boolean;
  indicesAreSorted: boolean;
  reversedYDims: number[];
  newaxisDims: number[];
  scalarBoolDims: number[];
}

/** Replace boolean masks by the integer arrays of their true positions (concrete masks only). */
export function expandBoolIndices(indices: Parsed[], shape: readonly number[]): Parsed[] {
  const out: Parsed[] = [];
  indices.forEach((p, position) => {
    if (p.typ !== 'boolean') {
      out.push(p);
      return;
    }
    if (typeof p.index === 'boolean') {
      out.push(p);
      return;
    }
    const m = p.index as Value;
    if (!(m instanceof ArrayImpl)) throw new NonConcreteBooleanIndexError(m.aval.strShort());
    const expected = p.axes.map((a) => shape[a]);
    if (!m.shape.every((s, i) => s === 0 || s === expected[i])) {
      throw new IndexError(
        `boolean index did not match shape of indexed array in index ${position}: got (${m.shape.join(', ')}${m.ndim === 1 ? ',' : ''}), expected [${expected.join(', ')}]`,
      );
    }
    const data = m.dataSync();
    const strides = m.shape.map((_, d) => sizeOf(m.shape.slice(d + 1)));
    const coords: number[][] = m.shape.map(() => []);
    for (let f = 0; f < data.length; f++) {
      if (!data[f]) continue;
      m.shape.forEach((n, d) => {
        coords[d].push(Math.floor(f / strides[d]) % n);
      });
    }
    coords.forEach((c, d) => {
      out.push({ typ: 'array', index: hostArray(c, { dtype: int32 }), axes: [p.axes[d]] });
    });
  });
  return out;
}

export function toGather(
  indices0: Parsed[],
  shape0: readonly number[],
  normalize: boolean,
): { indexer: GatherIndexer; shape: number[] } {
  validateSlices(indices0);
  const isAdvanced = indices0.flatMap((p, i) => (p.typ === 'array' || p.typ === 'integer' ? [i] : []));
  const contiguous = isAdvanced.every((v, i) => i === 0 || v - isAdvanced[i - 1] === 1);
  let indices = expandEllipses(indices0, shape0);
  // Scalar booleans: a new axis of length 1 (True) or 0 (False), indexed by arange(n).
  const scalarBoolDims = indices.flatMap((p, n) => (p.typ === 'boolean' ? [n] : []));
  const shape = [...shape0];
  {
    let cur = 0;
    indices = indices.map((p, i) => {
      if (p.typ === 'boolean') {
        shape.splice(i, 0, 1);
        const n = p.index ? 1 : 0;
        return {
          typ: 'array',
          index: hostArray(
            Array.from({ length: n }, (_, k) => k),
            { dtype: int32 },
          ),
          axes: [cur++],
        };
      }
      const axes = p.axes.map((_, k) => cur + k);
      cur += p.axes.length;
      return { ...p, axes };
    });
  }
  if (normalize) {
    indices = indices.map((p) => {
      if (p.typ === 'integer') {
        const i = p.index as number;
        return { ...p, index: i < 0 ? i + shape[p.axes[0]] : i };
      }
      if (p.typ === 'array') {
        const v = p.index as Value;
        if (v.dtype.kind === 'u') return p;
        // JAX's _normalize_index adds the size as a strongly typed constant (_lax_const), so a
        // weakly typed index comes out strong and needs no conversion to the index dtype.
        const size = lax.convertElementType(shape[p.axes[0]], v.dtype);
        return { ...p, index: lax.select(lax.lt(v, 0), lax.add(v, size), v) };
      }
      return p;
    });
  }
  const advancedInt = indices.some((p) => p.typ === 'array' && (p.index as Value).ndim > 0);
  let advanced: Value[] = [];
  let idxAdvancedAxes: number[] = [];
  let xAdvancedAxes: number[] = [];
  if (advancedInt) {
    let j = 0;
    indices.forEach((p, i) => {
      if (p.typ === 'none') return;
      if (p.typ === 'array' || p.typ === 'integer') {
        advanced.push(toValue(p.index));
        idxAdvancedAxes.push(i);
        xAdvancedAxes.push(j);
      }
      j++;
    });
  } else {
    advanced = [];
    idxAdvancedAxes = [];
    xAdvancedAxes = [];
  }

  let xAxis = 0;
  let yAxis = 0;
  let collapsedYAxis = 0;
  const offsetDims: number[] = [];
  const collapsed: number[] = [];
  const startIndexMap: number[] = [];
  const gatherIndices: [Value, number][] = [];
  const gatherIndicesShape: number[] = [];
  const sliceShape: number[] = [];
  const newaxisDims: number[] = [];
  const reversedYDims: number[] = [];
  const gatherSliceShape: number[] = [];
  const toIdx = (v: Value | number) => lax.convertElementType(v, int32);

  indices.forEach((p, pos) => {
    if (advanced.length && ((contiguous && pos === idxAdvancedAxes[0]) || (!contiguous && pos === 0))) {
      const bshape = advanced.reduce<number[]>((s, a) => broadcastShapesOf(s, a.shape), []);
      const arrs = advanced.map((a) => broadcastTo(a, bshape));
      const start = gatherIndicesShape.length;
      for (const a of arrs) gatherIndices.push([toIdx(a), start]);
      gatherIndicesShape.push(...bshape);
      startIndexMap.push(...xAdvancedAxes);
      collapsed.push(...xAdvancedAxes);
      sliceShape.push(...bshape);
      yAxis += bshape.length;
      collapsedYAxis += bshape.length;
    }
    if (idxAdvancedAxes.includes(pos)) {
      xAxis++;
      gatherSliceShape.push(1);
      return;
    }
    if ((p.typ === 'integer' || p.typ === 'array') && ndimOf(p) === 0) {
      if (shape[xAxis] === 0) throw new IndexError(`index is out of bounds for axis ${xAxis} with size 0`);
      gatherIndices.push([toIdx(p.index as Value | number), gatherIndicesShape.length]);
      collapsed.push(xAxis);
      gatherSliceShape.push(1);
      startIndexMap.push(xAxis);
      xAxis++;
    } else if (p.typ === 'none') {
      sliceShape.push(1);
      newaxisDims.push(yAxis);
      yAxis++;
    } else if (p.typ === 'slice') {
      const size = shape[xAxis];
      const [b, e, step] = sliceIndices(p.index as Slice, size);
      const dist = step > 0 ? e - b : b - e;
      const n = Math.max(0, dist + Math.abs(step) - 1) / Math.abs(step);
      const sliceSize = Math.floor(n);
      sliceShape.push(sliceSize);
      if (step === 1) {
        if (sliceSize !== size) {
          gatherIndices.push([toIdx(b), gatherIndicesShape.length]);
          startIndexMap.push(xAxis);
        }
        gatherSliceShape.push(sliceSize);
        offsetDims.push(collapsedYAxis);
      } else {
        let ix = lax.add(toIdx(b), lax.mul(toIdx(step), lax.iota(int32, sliceSize)));
        if (step < 0) {
          reversedYDims.push(collapsedYAxis);
          ix = lax.rev(ix, [0]);
        }
        gatherSliceShape.push(1);
        gatherIndices.push([ix, gatherIndicesShape.length]);
        startIndexMap.push(xAxis);
        gatherIndicesShape.push(sliceSize);
        collapsed.push(xAxis);
      }
      collapsedYAxis++;
      yAxis++;
      xAxis++;
    } else {
      throw new IndexError(`Got unsupported indexer at position ${pos}: ${String(p.index)}`);
    }
  });

  let gi: Value;
  if (gatherIndices.length === 0) gi = hostArray([], { dtype: int32 });
  else if (gatherIndices.length === 1) {
    const g = gatherIndices[0][0];
    gi = lax.expandDims(g, [g.ndim]);
  } else {
    const last = gatherIndicesShape.length;
    const target = [...gatherIndicesShape, 1];
    gi = lax.concatenate(
      gatherIndices.map(([g, i]) =>
        lax.broadcastInDim(
          g,
          target,
          g.shape.map((_, k) => i + k),
        ),
      ),
      last,
    );
  }
  return {
    shape,
    indexer: {
      sliceShape,
      gatherSliceShape,
      gatherIndices: gi,
      dnums: new GatherDimensionNumbers({
        offset_dims: offsetDims,
        collapsed_slice_dims: [...collapsed].sort((a, b) => a - b),
        start_index_map: startIndexMap,
      }),
      uniqueIndices: advanced.length === 0,
      indicesAreSorted: advanced.length === 0,
      reversedYDims,
      newaxisDims,
      scalarBoolDims,
    },
  };
}

export function broadcastShapesOf(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new IndexError(
        `shape mismatch: indexing arrays could not be broadcast together with shapes (${a.join(', ')}) (${b.join(', ')})`,
      );
    }
    out.push(x === 1 ? y : x);
  }
  return out;
}
