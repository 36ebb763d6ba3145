/**
 * @file Composing transformations (optax/transforms/_combining.py): `chain` runs transformations in sequence
 * (its state is the list of their states), `namedChain` the same with a dict of named states, and
 * `partition` (alias `multiTransform`) applies a different transformation to each labelled group of params,
 * each as a `masked` transformation over the whole tree.
 */
import { treeLeaves, treeMap } from '../core/pytree.js';
import type { ExtraArgs, GradientTransformation, OptState, Params, PyTree, Updates } from './base.js';
import { ValueError } from './base.js';
import { type MaskedState, masked } from './masking.js';

/** Python's repr of a list of strings: ['a', 'b']. */
const pyRepr = (xs: readonly string[]): string => `[${xs.map((x) => `'${x}'`).join(', ')}]`;

/** Applies the transformations one after another; the state is the list of their states. */
export function chain(...transforms: GradientTransformation<any>[]): GradientTransformation<OptState[]> {
  return {
    init: (params: Params) => transforms.map((t) => t.init(params)),
    update(updates: Updates, state: OptState[], params?: Params | null, extraArgs?: ExtraArgs) {
      if (!Array.isArray(state) || state.length !== transforms.length) {
        throw new ValueError(
          'The number of updates and states has to be the same in chain! Make sure you have called init first!',
        );
      }
      const newState: OptState[] = [];
      transforms.forEach((t, i) => {
        const [u, st] = t.update(updates, state[i], params, extraArgs);
        updates = u;
        newState.push(st);
      });
      return [updates, newState];
    },
  };
}

/** As chain, with each state under its transformation's name. */
export function namedChain(
  ...transforms: [name: string, tx: GradientTransformation<any>][]
): GradientTransformation<Record<string, OptState>> {
  const names = transforms.map(([n]) => n);
  if (new Set(names).size !== names.length) {
    throw new ValueError(`Named transformations must have unique names, but got ${pyRepr(names)}`);
  }
  return {
    init(params: Params) {
      const states: Record<string, OptState> = {};
      for (const [name, tx] of transforms) states[name] = tx.init(params);
      return states;
    },
    update(updates: Updates, state: Record<string, OptState>, params?: Params | null, extraArgs?: ExtraArgs) {
      const newState: Record<string, OptState> = {};
      for (const [name, tx] of transforms) {
        [updates, newState[name]] = tx.update(updates, state[name], params, extraArgs);
      }
      return [updates, newState];
    },
  };
}

export interface PartitionState {
  inner_states: Record<string, MaskedState>;
}

export interface PartitionOptions {
  maskCompatibleExtraArgs?: boolean;
}

/**
 * Applies `transforms[label]` to the params labelled `label`. `paramLabels` is a pytree of labels that is a
 * prefix of the params, or a function of the params (or updates) that returns one.
 */
export function partition(
  transforms: Record<string, GradientTransformation<any>>,
  paramLabels: PyTree | ((tree: PyTree) => PyTree),
  opts: PartitionOptions = {},
): GradientTransformation<PartitionState> {
  const labelsOf = (tree: PyTree): PyTree =>
    typeof paramLabels === 'function' ? paramLabels(tree) : paramLabels;
  const maskedTx = (labels: PyTree, group: string) =>
    masked(
      transforms[group],
      treeMap((label: unknown) => String(label) === group, labels),
      { maskCompatibleExtraArgs: opts.maskCompatibleExtraArgs },
    );
  return {
    init(params: Params) {
      const labels = labelsOf(params);
      const labelSet = [...new Set((treeLeaves(labels) as unknown[]).map(String))];
      const keys = Object.keys(transforms);
      if (!labelSet.every((l) => keys.includes(l))) {
        throw new ValueError(
          'Some parameters have no corresponding transformation.\n' +
            `Parameter labels: ${pyRepr(labelSet.sort())} \n` +
            `Transforms keys: ${pyRepr([...keys].sort())} \n`,
        );
      }
      const innerStates: Record<string, MaskedState> = {};
      for (const group of keys) innerStates[group] = maskedTx(labels, group).init(params);
      return { inner_states: innerStates };
    },
    update(updates: Updates, state: PartitionState, params?: Params | null, extraArgs?: ExtraArgs) {
      const labels = labelsOf(updates);
      const innerStates: Record<string, MaskedState> = {};
      for (const group of Object.keys(transforms)) {
        [updates, innerStates[group]] = maskedTx(labels, group).update(
          updates,
          state.inner_states[group],
          params,
          extraArgs,
        );
      }
      return [updates, { inner_states: innerStates }];
    },
  };
}

/** The older name of partition (optax.multi_transform). */
export const multiTransform = partition;
export type MultiTransformState = PartitionState;
