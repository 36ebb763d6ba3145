/**
 * @file Named axes: the axis environment JAX keeps (core.extend_axis_env_nd / get_axis_env). A
 * `vmap(f, { axisName })` and a shard_map body (pmap) bind a name to a size while they trace;
 * collectives (lax.psum and friends) look their names up here, and bind on the trace of the
 * frame that owns the name, so that `axis_index('i')` or `psum(1, 'i')` reach the vmap even with
 * no batched operand. An unknown name is JAX's NameError.
 */

import type { Params, Primitive } from '../core/primitive.js';
import { bindHooks, type MainTrace } from '../core/trace.js';

/** Axis names are strings in tjax (JAX allows any hashable). */
export type AxisName = string;

/** Positional (int) or named axes, as the collectives' `axes` params hold them. */
export type AxisRef = AxisName | number;

export interface AxisFrame {
  readonly name: AxisName;
  readonly size: number;
  /** The batch trace of a named vmap; null for a shard_map body, whose collectives are staged. */
  readonly main: MainTrace | null;
}

/** Python's NameError, which JAX raises for an axis name no vmap, pmap or shard_map binds. */
export class NameError extends Error {
  override name = 'NameError';
}

const frames: AxisFrame[] = [];

/** Run `f` with `frame` bound (innermost first when names repeat). */
export function withAxisFrame<T>(frame: AxisFrame | null, f: () => T): T {
  if (!frame) return f();
  frames.push(frame);
  try {
    return f();
  } finally {
    frames.pop();
  }
}

/** The innermost frame binding `name`, if any. */
export function axisFrame(name: AxisName): AxisFrame | undefined {
  for (let i = frames.length - 1; i >= 0; i--) if (frames[i].name === name) return frames[i];
  return undefined;
}

/** The frames currently bound, outermost first (for shard_map's nested tracing). */
export function axisFrames(): readonly AxisFrame[] {
  return frames;
}

/** parallel._check_axis_names: every named axis must be bound. */
export function checkAxisNames(axes: readonly AxisRef[], apiName: string): void {
  for (const a of axes) {
    if (typeof a === 'number') continue;
    if (!axisFrame(a))
      throw new NameError(
        `Found an unbound axis name: ${a}. To fix this, please call ${apiName} under \`jax.shard_map\`.`,
      );
  }
}

/** The size of a named axis (the product for several), as core.get_axis_env().axis_size. */
export function axisSizeOf(names: readonly AxisName[]): number {
  let n = 1;
  for (const name of names) {
    const f = axisFrame(name);
    if (!f) throw new NameError(`unbound axis name: ${name}`);
    n *= f.size;
  }
  return n;
}

/** The innermost named vmap among a collective's axis names binds it (core/trace.ts's bind). */
bindHooks.axisMain = (prim: Primitive, params: Params): MainTrace | null => {
  const names = (prim.rules.axisNames as (p: Params) => readonly AxisRef[])(params);
  let top: MainTrace | null = null;
  for (const n of names) {
    if (typeof n !== 'string') continue;
    const main = axisFrame(n)?.main;
    if (main && (!top || main.level > top.level)) top = main;
  }
  return top;
};
