/**
 * @file Gaps in the primitives' rule tables (core/primitive.ts registry), after everything the
 * package exports is loaded. Each primitive needs:
 *   - abstractEval;
 *   - lower (compile/lower.ts). `impl` alone would do for a transformation-only primitive with no
 *     kernel (JAX's add_any has none of its own), but every primitive so far lowers, add_any
 *     included, so eager and jit share one path;
 *   - a jvp rule, except nullary primitives and those whose operands are always integers: the
 *     JVP trace binds a primitive whose tangents are all symbolic zeros itself, so no rule is
 *     ever looked up;
 *   - a batch rule, except nullary primitives (never batched); without one vmap falls back to a
 *     loop over the batch, which is correct but slow, so it is a gap;
 *   - a transpose rule when it is one of JAX's linear primitives (ad.deflinear / primitive_transposes
 *     in jax._src.lax and friends).
 * A new gap fails the test; known ones are listed in KNOWN_GAPS, each with its owner's note.
 */
import { describe, expect, it } from 'vitest';
import { primitives } from '../../src/engine/index.js';

/** JAX 0.10.2's primitives that have transpose rules (those tjax defines; `copy`, `real`, ... do not exist). */
const LINEAR = [
  'neg',
  'add',
  'sub',
  'mul',
  'div',
  'add_any',
  'convert_element_type',
  'reduce_sum',
  'broadcast_in_dim',
  'reshape',
  'transpose',
  'squeeze',
  'slice',
  'pad',
  'concatenate',
  'split',
  'stack',
  'unstack',
  'tile',
  'rev',
  'select_n',
  'dynamic_slice',
  'dynamic_update_slice',
  'gather',
  'scatter',
  'scatter-add',
  'scatter-mul',
  'dot_general',
  'cumsum',
  'stack',
  'unstack',
  'tile',
  'reduce_window_sum',
  'select_and_scatter_add',
  'select_and_gather_add',
  'copy',
  'copy_p',
  'reduce_precision',
  'real',
  'imag',
  'complex',
  'conj',
  'fft',
  'custom_linear_solve',
  'jit',
  'cond',
  'scan',
  'while',
  'remat2',
  'custom_lin',
  'linear_call',
  'psum',
  'all_gather',
  'reduce_scatter',
  'all_to_all',
  'ppermute',
];

/** Primitives without operands: no tangents and no batch dims can reach them. */
const NULLARY = new Set([
  'iota',
  'empty',
  'empty2',
  'iota_2x32_shape',
  'rng_bit_generator_key',
  'axis_index',
  'platform_index',
]);

/** Primitives JAX defines no derivative for (grad through them is JAX's NotImplementedError too). */
const NO_JVP_IN_JAX = new Set(['pmax', 'pmin']);

/** Primitives whose operands are integer (or key) arrays only: their tangents are always zero. */
const INTEGER_ONLY = new Set([
  'threefry2x32',
  'iota_2x32_shape',
  'random_bits',
  'random_seed',
  'random_wrap',
  'random_unwrap',
  'random_split',
  'random_fold_in',
]);

/** Gaps known when this test was written, for their owners to close. */
const KNOWN_GAPS = new Set<string>([]);

function gaps(): string[] {
  const out: string[] = [];
  for (const p of primitives()) {
    const r = p.rules;
    const miss = (what: string) => out.push(`${p.name}: ${what}`);
    if (typeof r.abstractEval !== 'function') miss('abstractEval');
    if (!r.lower && !r.impl) miss('lower');
    if (!r.jvp && !NULLARY.has(p.name) && !INTEGER_ONLY.has(p.name) && !NO_JVP_IN_JAX.has(p.name))
      miss('jvp');
    if (!r.batch && !NULLARY.has(p.name)) miss('batch');
    if (LINEAR.includes(p.name) && !r.transpose) miss('transpose');
  }
  return out;
}

describe('primitive registry', () => {
  it('every primitive has abstractEval, lower, jvp, batch (and transpose where linear)', () => {
    expect(gaps().filter((g) => !KNOWN_GAPS.has(g))).toEqual([]);
  });

  it('the control-flow and AD primitives are complete', () => {
    const names = new Set(primitives().map((p) => p.name));
    for (const n of ['cond', 'while', 'scan', 'jit', 'add_any', 'stop_gradient']) {
      expect(names.has(n), n).toBe(true);
    }
    expect(gaps().filter((g) => /^(cond|while|scan|jit|add_any|stop_gradient|empty2):/.test(g))).toEqual([]);
  });
});
