/**
 * @file Export rules of the structural primitives (jax/_src/lax/lax.py and slicing.py):
 * broadcast_in_dim, reshape (with its optional transpose), squeeze as a reshape, rev as reverse,
 * slice, split as consecutive slices, iota, pad, concatenate (a tree of 16-way concatenations, as
 * JAX builds wide ones), dynamic_slice and dynamic_update_slice; stack (a broadcast_in_dim per
 * operand, then that concatenation tree), unstack (a slice and a reshape per result), tile
 * (reshape, broadcast_in_dim, reshape) and copy (nothing), as JAX 0.10.2 lowers them.
 */

import type { Params } from '../../core/primitive.js';
import {
  broadcastInDim,
  concatenate,
  dynamicSlice,
  dynamicUpdateSlice,
  iota,
  pad,
  reshape,
  reverse,
  slice,
  transpose,
} from '../hlo.js';
import { registerExportRule } from '../lower.js';
import type { Value } from '../mlir.js';

const nums = (x: unknown): number[] => (x as ArrayLike<number>) && Array.from(x as ArrayLike<number>, Number);

registerExportRule('broadcast_in_dim', (ctx, [x], p) => [
  broadcastInDim(ctx.b, x, ctx.avalsOut[0].shape, nums(p.broadcast_dimensions)),
]);

registerExportRule('reshape', (ctx, [x], p) => {
  const t = p.dimensions ? transpose(ctx.b, x, nums(p.dimensions)) : x;
  return [reshape(ctx.b, t, ctx.avalsOut[0].shape)];
});

registerExportRule('squeeze', (ctx, [x]) => [reshape(ctx.b, x, ctx.avalsOut[0].shape)]);

registerExportRule('transpose', (ctx, [x], p) => [transpose(ctx.b, x, nums(p.permutation))]);

registerExportRule('rev', (ctx, [x], p) => [reverse(ctx.b, x, nums(p.dimensions))]);

registerExportRule('slice', (ctx, [x], p) => [
  slice(ctx.b, x, nums(p.start_indices), nums(p.limit_indices), p.strides ? nums(p.strides) : null),
]);

registerExportRule('split', (ctx, [x], p) => {
  const axis = Number(p.axis);
  const start = x.shape.map(() => 0);
  const limit = [...x.shape];
  return ctx.avalsOut.map((o) => {
    limit[axis] = start[axis] + o.shape[axis];
    const out = slice(ctx.b, x, start, limit, null);
    start[axis] = limit[axis];
    return out;
  });
});

registerExportRule('iota', (ctx, _ins, p) => {
  const o = ctx.avalsOut[0];
  return [iota(ctx.b, o.shape, o.dtype, Number(p.dimension))];
});

registerExportRule('pad', (ctx, [x, v], p: Params) => {
  const cfg = p.padding_config as [number, number, number][];
  return [
    pad(
      ctx.b,
      x,
      v,
      cfg.map((c) => Number(c[0])),
      cfg.map((c) => Number(c[1])),
      cfg.map((c) => Number(c[2])),
    ),
  ];
});

/** JAX's _concatenate_tree: wide concatenations as a tree of 16-way ones. */
function concatenateTree(b: Parameters<typeof concatenate>[0], xs: Value[], dim: number): Value {
  let cur: Value[] = xs;
  while (cur.length > 1) {
    const next: Value[] = [];
    for (let i = 0; i < cur.length; i += 16) next.push(concatenate(b, cur.slice(i, i + 16), dim));
    cur = next;
  }
  return cur[0];
}

registerExportRule('concatenate', (ctx, xs, p) => [concatenateTree(ctx.b, xs, Number(p.dimension))]);

registerExportRule('stack', (ctx, xs, p) => {
  const axis = Number(p.axis);
  const shape = [...xs[0].shape];
  shape.splice(axis, 0, 1);
  const dims = shape.map((_, i) => i).filter((i) => i !== axis);
  return [
    concatenateTree(
      ctx.b,
      xs.map((x) => broadcastInDim(ctx.b, x, shape, dims)),
      axis,
    ),
  ];
});

registerExportRule('unstack', (ctx, [x], p) => {
  const axis = Number(p.axis);
  const start = x.shape.map(() => 0);
  const limit = [...x.shape];
  return ctx.avalsOut.map((o) => {
    limit[axis] = start[axis] + 1;
    const piece = slice(
      ctx.b,
      x,
      start,
      limit,
      x.shape.map(() => 1),
    );
    start[axis] = limit[axis];
    return reshape(ctx.b, piece, o.shape);
  });
});

registerExportRule('tile', (ctx, [x], p) => {
  const reps = nums(p.reps);
  const expanded = reshape(
    ctx.b,
    x,
    x.shape.flatMap((n) => [1, n]),
  );
  const wide = broadcastInDim(
    ctx.b,
    expanded,
    x.shape.flatMap((n, i) => [reps[i], n]),
    x.shape.flatMap((_, i) => [2 * i, 2 * i + 1]),
  );
  return [reshape(ctx.b, wide, ctx.avalsOut[0].shape)];
});

registerExportRule('copy', (_ctx, [x]) => [x]);

registerExportRule('dynamic_slice', (ctx, [x, ...idx]) => [
  dynamicSlice(ctx.b, x, idx, ctx.avalsOut[0].shape),
]);

registerExportRule('dynamic_update_slice', (ctx, [x, u, ...idx]) => [dynamicUpdateSlice(ctx.b, x, u, idx)]);
