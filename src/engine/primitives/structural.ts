/**
 * @file Structural primitives: they move elements without arithmetic, so each lowers to an index
 * remapping of its operand's element generator and fuses with its neighbours (a transpose
 * feeding an add is one kernel). broadcast_in_dim reshape transpose squeeze slice rev iota pad
 * concatenate dynamic_slice dynamic_update_slice.
 */

import { bin, cast, iconst, linearIndex, load, type SExpr, sel } from '../compile/kir.js';
import { Lazy, type LowerRule } from '../compile/lower.js';
import { ShapedArray } from '../core/aval.js';
import { bool, type DType, int32, toDType } from '../core/dtype.js';
import { definePrimitive, type Params } from '../core/primitive.js';
import { shapeTuple, sizeOf, stridesOf } from '../core/shape.js';
import { pyStr } from '../ir/pyrepr.js';
import { elementwiseLowering, weakAll } from './common.js';

const nums = (v: unknown): number[] => (v as readonly number[]).map(Number);
const tuple = (xs: readonly number[]) => shapeTuple(xs);

function and(a: SExpr, b: SExpr): SExpr {
  return bin('and', a, b, bool);
}

function clampIdx(i: SExpr, n: number): SExpr {
  return bin('min', bin('max', i, iconst(0)), iconst(Math.max(n - 1, 0)));
}

/**
 * Reads into an operand of `shape` that covers only part of the output (pad's source, the update
 * of dynamic_update_slice): `at` maps dimension d's output index to an operand index and the
 * condition that it lies inside. Returns the indices clamped in bounds, so that every load is
 * safe, and the conjunction of the conditions (null for a scalar: always inside).
 */
function partialRead(
  idx: readonly SExpr[],
  shape: readonly number[],
  at: (i: SExpr, d: number) => [SExpr, SExpr],
): [SExpr[], SExpr | null] {
  let inside: SExpr | null = null;
  const read = idx.map((o, d) => {
    const [i, c] = at(o, d);
    inside = inside ? and(inside, c) : c;
    return clampIdx(i, shape[d]);
  });
  return [read, inside];
}

function remap(x: Lazy, out: ShapedArray, f: (idx: readonly SExpr[]) => SExpr[]): Lazy {
  return new Lazy(out, (idx) => x.at(f(idx)), x.cost);
}

// ---- broadcast_in_dim -----------------------------------------------------------------------------

export const broadcast_in_dim = definePrimitive('broadcast_in_dim', {
  ppParams: (p: Params) =>
    nums(p.broadcast_dimensions).length ? { broadcast_dimensions: p.broadcast_dimensions } : {},
  abstractEval([a], p) {
    const shape = nums(p.shape);
    const dims = nums(p.broadcast_dimensions);
    if (dims.length !== a.ndim) {
      throw new TypeError(
        `broadcast_in_dim broadcast_dimensions must have length equal to operand ndim; got broadcast_dimensions ${tuple(dims)} for operand ndim ${a.ndim}.`,
      );
    }
    if (shape.length < a.ndim) {
      throw new TypeError(
        `broadcast_in_dim target broadcast shape must have equal or higher rank to the operand shape; got operand ndim ${a.ndim} and target broadcast ndim ${shape.length}.`,
      );
    }
    dims.forEach((d, i) => {
      if (d < 0 || d >= shape.length || !(a.shape[i] === 1 || a.shape[i] === shape[d])) {
        throw new TypeError(
          `broadcast_in_dim operand dimension sizes must either be 1, or be equal to their corresponding dimensions in the target broadcast shape; got operand of shape ${tuple(a.shape)}, target broadcast shape ${tuple(shape)}, broadcast_dimensions ${tuple(dims)} `,
        );
      }
    });
    for (let i = 1; i < dims.length; i++) {
      if (dims[i] <= dims[i - 1]) {
        throw new TypeError(
          `broadcast_in_dim broadcast_dimensions must be strictly increasing; got broadcast_dimensions ${tuple(dims)}`,
        );
      }
    }
    return [new ShapedArray(shape, a.dtype, a.weakType)];
  },
  lower: ((_ctx, [x], p, [out]) => {
    const dims = nums(p.broadcast_dimensions);
    return [
      remap(x, out, (idx) =>
        dims.map((d, i) => (x.aval.shape[i] === 1 && out.shape[d] !== 1 ? iconst(0) : idx[d])),
      ),
    ];
  }) satisfies LowerRule,
});

// ---- reshape --------------------------------------------------------------------------------------

export const reshape = definePrimitive('reshape', {
  abstractEval([a], p) {
    const shape = nums(p.new_sizes);
    if (sizeOf(shape) !== a.size) {
      throw new TypeError(
        `cannot reshape array of shape ${tuple(a.shape)} (size ${a.size}) into shape ${tuple(shape)} (size ${sizeOf(shape)})`,
      );
    }
    if (p.dimensions !== null && p.dimensions !== undefined) {
      const dims = nums(p.dimensions);
      if (dims.length !== a.ndim || [...dims].sort((x, y) => x - y).some((v, i) => v !== i)) {
        throw new TypeError(
          `reshape dimensions must be a permutation of operand dimensions, got dimensions ${tuple(dims)} for shape ${tuple(a.shape)}.`,
        );
      }
    }
    return [new ShapedArray(shape, a.dtype, a.weakType)];
  },
  lower: ((_ctx, [operand], p, [out]) => {
    // `dimensions` (XLA's pre-reshape transpose) reads the operand through the permutation.
    let x = operand;
    if (p.dimensions !== null && p.dimensions !== undefined) {
      const dims = nums(p.dimensions);
      const inner = operand;
      const aval = new ShapedArray(
        dims.map((d) => inner.aval.shape[d]),
        inner.aval.dtype,
      );
      x = remap(inner, aval, (idx) => {
        const inIdx: SExpr[] = new Array(dims.length);
        dims.forEach((d, i) => {
          inIdx[d] = idx[i];
        });
        return inIdx;
      });
    }
    const outStrides = stridesOf(out.shape);
    if (x.buf !== null) {
      // A buffer is row-major already: the flat index is the same.
      const buf = x.buf;
      return [new Lazy(out, (idx) => load(buf, linearIndex(idx, outStrides), out.dtype), 0, null)];
    }
    const inShape = x.aval.shape;
    const inStrides = stridesOf(inShape);
    return [
      remap(x, out, (idx) => {
        const flat = linearIndex(idx, outStrides);
        return inShape.map((n, d) => {
          const q = bin('div', flat, iconst(inStrides[d]));
          return d === 0 ? q : bin('rem', q, iconst(n));
        });
      }),
    ];
  }) satisfies LowerRule,
});

// ---- transpose, squeeze, rev, slice ----------------------------------------------------------------

export const transpose = definePrimitive('transpose', {
  abstractEval([a], p) {
    const perm = nums(p.permutation);
    if (perm.length !== a.ndim || [...perm].sort((x, y) => x - y).some((v, i) => v !== i)) {
      throw new TypeError(
        `transpose permutation isn't a permutation of operand dimensions, got permutation ${tuple(perm)} for operand shape ${tuple(a.shape)}.`,
      );
    }
    return [a.withShape(perm.map((d) => a.shape[d]))];
  },
  lower: ((_ctx, [x], p, [out]) => {
    const perm = nums(p.permutation);
    return [
      remap(x, out, (idx) => {
        const inIdx: SExpr[] = new Array(perm.length);
        perm.forEach((d, i) => {
          inIdx[d] = idx[i];
        });
        return inIdx;
      }),
    ];
  }) satisfies LowerRule,
});

export const squeeze = definePrimitive('squeeze', {
  abstractEval([a], p) {
    const dims = nums(p.dimensions);
    for (const d of dims) {
      if (d < 0 || d >= a.ndim || a.shape[d] !== 1) {
        throw new TypeError(
          `cannot select an axis to squeeze out which has size not equal to one, got shape=${tuple(a.shape)} and dimensions=${tuple(dims)}`,
        );
      }
    }
    return [a.withShape(a.shape.filter((_, d) => !dims.includes(d)))];
  },
  lower: ((_ctx, [x], p, [out]) => {
    const dims = nums(p.dimensions);
    return [
      remap(x, out, (idx) => {
        let o = 0;
        return x.aval.shape.map((_, d) => (dims.includes(d) ? iconst(0) : idx[o++]));
      }),
    ];
  }) satisfies LowerRule,
});

export const rev = definePrimitive('rev', {
  abstractEval([a], p) {
    const dims = nums(p.dimensions);
    if (dims.some((d) => d < 0 || d >= a.ndim) || new Set(dims).size !== dims.length) {
      throw new TypeError(
        `rev dimensions must be unique and in range, got ${tuple(dims)} for operand shape ${tuple(a.shape)}`,
      );
    }
    return [a];
  },
  lower: ((_ctx, [x], p, [out]) => {
    const dims = nums(p.dimensions);
    return [
      remap(x, out, (idx) =>
        idx.map((i, d) => (dims.includes(d) ? bin('sub', iconst(out.shape[d] - 1), i) : i)),
      ),
    ];
  }) satisfies LowerRule,
});

export const slice = definePrimitive('slice', {
  abstractEval([a], p) {
    const start = nums(p.start_indices);
    const limit = nums(p.limit_indices);
    const strides = p.strides ? nums(p.strides) : start.map(() => 1);
    if (start.length !== a.ndim || limit.length !== a.ndim) {
      throw new TypeError(
        `slice start_indices must have length equal to the number of dimensions of the operand, got indices ${tuple(start)} for operand shape ${tuple(a.shape)}.`,
      );
    }
    const shape = a.shape.map((n, d) => {
      if (start[d] < 0 || limit[d] > n || limit[d] < start[d] || strides[d] < 1) {
        throw new TypeError(
          `slice limit_indices must be less than or equal to operand shape and start_indices must be <= limit_indices, got start_indices ${tuple(start)}, limit_indices ${tuple(limit)} for operand shape ${tuple(a.shape)}.`,
        );
      }
      return Math.ceil((limit[d] - start[d]) / strides[d]);
    });
    return [new ShapedArray(shape, a.dtype, a.weakType)];
  },
  lower: ((_ctx, [x], p, [out]) => {
    const start = nums(p.start_indices);
    const strides = p.strides ? nums(p.strides) : start.map(() => 1);
    return [
      remap(x, out, (idx) =>
        idx.map((i, d) => bin('add', iconst(start[d]), bin('mul', i, iconst(strides[d])))),
      ),
    ];
  }) satisfies LowerRule,
});

// ---- split ---------------------------------------------------------------------------------------

/** split(x, sizes, axis): consecutive pieces of x along axis (lax.split; jnp.split binds it). */
export const split = definePrimitive(
  'split',
  {
    abstractEval([a], p) {
      const axis = Number(p.axis);
      const sizes = nums(p.sizes);
      if (axis < 0 || axis >= a.ndim)
        throw new RangeError(`split axis ${axis} is out of bounds for operand shape ${tuple(a.shape)}`);
      // JAX raises ValueErrors with the sizes as Python prints the list (np.int64 from jnp.split).
      const list = `[${(p.sizes as unknown[]).map(pyStr).join(', ')}]`;
      if (sizes.some((n) => n < 0))
        throw new RangeError(`Sizes passed to split must be nonnegative, got ${list}`);
      const total = sizes.reduce((x, y) => x + y, 0);
      if (total !== a.shape[axis])
        throw new RangeError(
          `Sum of sizes ${total} must be equal to dimension ${axis} of the operand shape [${a.shape.join(', ')}]`,
        );
      return sizes.map((n) => {
        const shape = [...a.shape];
        shape[axis] = n;
        return new ShapedArray(shape, a.dtype, a.weakType);
      });
    },
    lower: ((_ctx, [x], p, outs) => {
      const axis = Number(p.axis);
      let off = 0;
      return outs.map((out) => {
        const start = off;
        off += out.shape[axis];
        return remap(x, out, (idx) => idx.map((i, d) => (d === axis ? bin('add', i, iconst(start)) : i)));
      });
    }) satisfies LowerRule,
  },
  true,
);

// ---- iota, pad, concatenate ----------------------------------------------------------------------

export const iota = definePrimitive('iota', {
  abstractEval(_avals, p) {
    const shape = nums(p.shape);
    const dim = Number(p.dimension);
    if (dim < 0 || dim >= shape.length)
      throw new TypeError(
        `iota dimension must be between 0 and len(shape), got dimension=${dim} for shape ${tuple(shape)}`,
      );
    return [new ShapedArray(shape, toDType(p.dtype as DType))];
  },
  lower: ((_ctx, _ins, p, [out]) => {
    const dim = Number(p.dimension);
    return [new Lazy(out, (idx) => cast(idx[dim], out.dtype), 0)];
  }) satisfies LowerRule,
});

export const pad = definePrimitive('pad', {
  abstractEval([a, v], p) {
    if (v.ndim !== 0) throw new TypeError(`padding_value must be a scalar, got shape ${tuple(v.shape)}`);
    if (a.dtype !== v.dtype)
      throw new TypeError(
        `pad operand and padding_value must be same dtype: got ${a.dtype.name} and ${v.dtype.name}.`,
      );
    const cfg = p.padding_config as number[][];
    if (cfg.length !== a.ndim)
      throw new TypeError(
        `length of padding_config must equal the number of axes of operand, got padding_config ${JSON.stringify(cfg)} for operand shape ${tuple(a.shape)}`,
      );
    const shape = a.shape.map((n, d) => {
      const [lo, hi, interior] = cfg[d].map(Number);
      if (interior < 0)
        throw new TypeError(
          `interior padding in padding_config must be nonnegative, got padding_config ${JSON.stringify(cfg)}`,
        );
      const s = lo + hi + n + Math.max(0, n - 1) * interior;
      if (s < 0)
        throw new TypeError(
          `Dimension size after padding is not at least 0, got result shape dimension ${s}`,
        );
      return s;
    });
    return [new ShapedArray(shape, a.dtype, a.weakType && v.weakType)];
  },
  lower: ((_ctx, [x, v], p, [out]) => {
    const cfg = (p.padding_config as number[][]).map((c) => c.map(Number));
    return [
      new Lazy(
        out,
        (idx) => {
          const [inIdx, ok] = partialRead(idx, x.aval.shape, (o, d) => {
            const [lo, , interior] = cfg[d];
            const t = bin('sub', o, iconst(lo));
            const step = interior + 1;
            const i = step === 1 ? t : bin('div', t, iconst(step));
            const c = and(bin('ge', t, iconst(0), bool), bin('lt', i, iconst(x.aval.shape[d]), bool));
            return [i, step === 1 ? c : and(c, bin('eq', bin('rem', t, iconst(step)), iconst(0), bool))];
          });
          const val = x.at(inIdx);
          return ok ? sel(ok, val, v.at([])) : val;
        },
        x.cost + v.cost + 1,
      ),
    ];
  }) satisfies LowerRule,
});

export const concatenate = definePrimitive('concatenate', {
  abstractEval(avals, p) {
    const dim = Number(p.dimension);
    if (avals.length === 0) throw new TypeError('concatenate expects at least one operand, got 0.');
    const a0 = avals[0];
    if (dim < 0 || dim >= a0.ndim) {
      throw new TypeError(
        `concatenate dimension out of bounds: dimension ${dim} for shapes ${avals.map((a) => tuple(a.shape)).join(', ')}.`,
      );
    }
    for (const a of avals) {
      if (a.ndim !== a0.ndim || a.shape.some((n, d) => d !== dim && n !== a0.shape[d])) {
        throw new TypeError(
          `Cannot concatenate arrays with shapes that differ in dimensions other than the one being concatenated: concatenating along dimension ${dim} for shapes ${avals.map((x) => tuple(x.shape)).join(', ')}.`,
        );
      }
      if (a.dtype !== a0.dtype) {
        throw new TypeError(
          `Cannot concatenate arrays with different numeric types: ${avals.map((x) => x.dtype.name).join(', ')}.`,
        );
      }
    }
    const shape = [...a0.shape];
    shape[dim] = avals.reduce((s, a) => s + a.shape[dim], 0);
    return [new ShapedArray(shape, a0.dtype, weakAll(avals))];
  },
  lower: ((_ctx, xs, p, [out]) => {
    const dim = Number(p.dimension);
    const offsets: number[] = [];
    let off = 0;
    for (const x of xs) {
      offsets.push(off);
      off += x.aval.shape[dim];
    }
    return [
      new Lazy(
        out,
        (idx) => {
          const read = (k: number) => {
            const local = bin('sub', idx[dim], iconst(offsets[k]));
            return xs[k].at(idx.map((i, d) => (d === dim ? clampIdx(local, xs[k].aval.shape[dim]) : i)));
          };
          let e = read(xs.length - 1);
          for (let k = xs.length - 2; k >= 0; k--) {
            if (xs[k].aval.shape[dim] === 0) continue;
            e = sel(bin('lt', idx[dim], iconst(offsets[k + 1]), bool), read(k), e);
          }
          return e;
        },
        xs.reduce((c, x) => c + x.cost, 1),
      ),
    ];
  }) satisfies LowerRule,
});

// ---- dynamic_slice, dynamic_update_slice -----------------------------------------------------------

function checkIndices(name: string, idx: ShapedArray[], ndim: number) {
  if (idx.length !== ndim) {
    throw new TypeError(
      `${name} start_indices must have length equal to the number of dimensions of the operand, got ${idx.length} indices for an operand of rank ${ndim}.`,
    );
  }
  for (const i of idx) {
    if (i.ndim !== 0 || !i.dtype.isInt)
      throw new TypeError(`${name} start_indices must be scalar integers, got ${i.strShort()}`);
  }
}

/** Start index of a window of `size` in a dimension of `n`, clamped into range as XLA does. */
function clampedStart(s: Lazy, n: number, size: number): SExpr {
  const v = cast(s.at([]), int32);
  return bin('min', bin('max', v, iconst(0)), iconst(n - size));
}

export const dynamic_slice = definePrimitive('dynamic_slice', {
  abstractEval([a, ...idx], p) {
    const sizes = nums(p.slice_sizes);
    checkIndices('dynamic_slice', idx, a.ndim);
    if (sizes.length !== a.ndim || sizes.some((s, d) => s < 0 || s > a.shape[d])) {
      throw new TypeError(
        `slice slice_sizes must be less than or equal to operand shape, got slice_sizes ${tuple(sizes)} for operand shape ${tuple(a.shape)}.`,
      );
    }
    return [new ShapedArray(sizes, a.dtype, a.weakType)];
  },
  lower: ((_ctx, [x, ...starts], p, [out]) => {
    const sizes = nums(p.slice_sizes);
    return [
      new Lazy(
        out,
        (idx) => x.at(idx.map((i, d) => bin('add', i, clampedStart(starts[d], x.aval.shape[d], sizes[d])))),
        x.cost + 1,
      ),
    ];
  }) satisfies LowerRule,
});

export const dynamic_update_slice = definePrimitive('dynamic_update_slice', {
  abstractEval([a, u, ...idx]) {
    checkIndices('dynamic_update_slice', idx, a.ndim);
    if (u.ndim !== a.ndim || u.shape.some((n, d) => n > a.shape[d])) {
      throw new TypeError(
        `dynamic_update_slice update shape must be smaller than operand shape, got update shape ${tuple(u.shape)} for operand shape ${tuple(a.shape)}.`,
      );
    }
    if (u.dtype !== a.dtype)
      throw new TypeError(
        `dynamic_update_slice update must have the same dtype as operand, got ${u.dtype.name} and ${a.dtype.name}`,
      );
    return [a];
  },
  lower: ((_ctx, [x, u, ...starts], _p, [out]) => {
    return [
      new Lazy(
        out,
        (idx) => {
          const [uIdx, inside] = partialRead(idx, u.aval.shape, (i, d) => {
            const local = bin('sub', i, clampedStart(starts[d], x.aval.shape[d], u.aval.shape[d]));
            return [
              local,
              and(bin('ge', local, iconst(0), bool), bin('lt', local, iconst(u.aval.shape[d]), bool)),
            ];
          });
          return inside ? sel(inside, u.at(uIdx), x.at(idx)) : u.at(uIdx);
        },
        x.cost + u.cost + 1,
      ),
    ];
  }) satisfies LowerRule,
});

/** lax's copy_p: jnp.array(x) of an array copies it (the value, unchanged). */
export const copy = definePrimitive('copy', {
  abstractEval([a]) {
    return [a];
  },
  lower: elementwiseLowering(([x]) => x),
});
