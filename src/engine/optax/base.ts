/**
 * @file optax's base interface (optax/_src/base.py): a GradientTransformation is a pair of pure functions,
 * `init(params) -> state` and `update(updates, state, params?, extraArgs?) -> [updates, state]`. States are
 * pytrees of arrays (plain objects with optax's NamedTuple field names, in snake_case as optax has them, so a
 * state's flattened paths are optax's); nothing in a transformation object changes after it is built, which
 * is what lets a training step run under `jit`. optax's keyword-only `**extra_args` become one optional
 * trailing object that every update accepts and passes on (so `with_extra_args_support` is the identity).
 */
import type { DTypeLike } from '../core/dtype.js';
import { treeMap } from '../core/pytree.js';
import type { Value } from '../core/trace.js';
import * as jnp from '../numpy/namespace.js';
import { ValueError } from '../transforms/api.js';

export { ValueError };

/** A pytree of arrays (optax's Params / Updates / OptState are all this). */
export type PyTree = any;
export type Params = PyTree;
export type Updates = PyTree;
export type OptState = PyTree;
/** A scalar or an array, as jax.typing.ArrayLike. */
export type ArrayLike = Value | number;
/** A function of the step count (a JS number or an int32 array) to a value; works under `jit`. */
export type Schedule = (count: ArrayLike) => ArrayLike;
export type ScalarOrSchedule = ArrayLike | Schedule;
export type ExtraArgs = Record<string, unknown>;
export type DType = DTypeLike;

export type TransformInitFn<S = OptState> = (params: Params) => S;
export type TransformUpdateFn<S = OptState> = (
  updates: Updates,
  state: S,
  params?: Params | null,
  extraArgs?: ExtraArgs,
) => [Updates, S];

export interface GradientTransformation<S = OptState> {
  init: TransformInitFn<S>;
  update: TransformUpdateFn<S>;
}
/** optax keeps a separate name for transformations that take extra args; here every update does. */
export type GradientTransformationExtraArgs<S = OptState> = GradientTransformation<S>;

/** The state of a stateless transformation (optax.EmptyState, an empty NamedTuple): an empty dict. */
export type EmptyState = Record<string, never>;

export const NO_PARAMS_MSG =
  'You are using a transformation that requires the current value of ' +
  'parameters, but you are not passing `params` when calling `update`.';

export function initEmptyState(_params?: Params): EmptyState {
  return {};
}

export function isSchedule(x: unknown): x is Schedule {
  return typeof x === 'function';
}

/** A transformation from init and update functions (optax.GradientTransformation(init, update)). */
export function gradientTransformation<S>(
  init: TransformInitFn<S>,
  update: TransformUpdateFn<S>,
): GradientTransformation<S> {
  return { init, update };
}

/** Every update here accepts extra args, so this returns the transformation itself. */
export function withExtraArgsSupport<S>(tx: GradientTransformation<S>): GradientTransformation<S> {
  return tx;
}

/** Leaves the updates unchanged (optax.identity). */
export function identity(): GradientTransformation<EmptyState> {
  return { init: initEmptyState, update: (updates, state) => [updates, state] };
}

/** Maps the updates to zeros, so applying them leaves the params where they are (optax.set_to_zero). */
export function setToZero(): GradientTransformation<EmptyState> {
  return {
    init: initEmptyState,
    update: (updates, state) => [treeMap((u: Value) => jnp.zerosLike(jnp.asarray(u)), updates), state],
  };
}

/** A stateless transformation from `f(updates, params) -> updates` (optax.stateless). */
export function stateless(
  f: (updates: Updates, params: Params | null) => Updates,
): GradientTransformation<EmptyState> {
  return { init: initEmptyState, update: (updates, _state, params) => [f(updates, params ?? null), {}] };
}

/** A stateless transformation from a per-leaf `f(update, param)` (optax.stateless_with_tree_map). */
export function statelessWithTreeMap(
  f: (update: Value, param: Value | null) => Value,
): GradientTransformation<EmptyState> {
  return {
    init: initEmptyState,
    update: (updates, _state, params) => [
      params === null || params === undefined
        ? treeMap((u: Value) => f(u, null), updates)
        : treeMap(f, updates, params),
      {},
    ],
  };
}

/** Raises optax's error when a transformation that needs params is updated without them. */
export function requireParams(params: Params | null | undefined): Params {
  if (params === null || params === undefined) throw new ValueError(NO_PARAMS_MSG);
  return params;
}
