/**
 * @file StableHLO export: a traced program as the MLIR module `jax.jit(f).lower(*args).as_text()`
 * prints for JAX 0.10.2. module.ts builds the module around the program, lower.ts walks the
 * jaxpr, rules/ holds one export rule per primitive, hlo.ts the operations and their text forms,
 * printer.ts MLIR's value naming and layout, attrs.ts and floats.ts the attribute spellings.
 */

import './rules/elementwise.js';
import './rules/structural.js';
import './rules/reductions.js';
import './rules/dot.js';
import './rules/calls.js';
import './rules/control.js';
import './rules/random.js';
import './rules/indexing.js';
import './rules/sorting.js';
import './rules/collectives.js';
import './rules/windowed.js';
import './rules/linalg.js';
import './rules/complex.js';

export { exportRule, registerExportRule } from './lower.js';
export {
  type ExportedModule,
  type ExportOptions,
  type ExportShardings,
  lowerToModule,
  moduleName,
} from './module.js';

/** Primitives deliberately without an export rule, with the reason (the registry test reads it). */
export const EXPORT_EXCLUSIONS: Readonly<Record<string, string>> = Object.fromEntries(
  ['random_seed', 'random_wrap', 'random_unwrap', 'random_bits', 'random_split', 'random_fold_in'].map(
    (n) => [
      n,
      'a typed-key primitive: random/physical.ts rewrites it to threefry2x32 on uint32 words before export',
    ],
  ),
);
