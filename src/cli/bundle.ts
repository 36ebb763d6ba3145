/**
 * @file The entry of the CommonJS bundle `dist/tjax.cjs` (scripts/bundle.mjs): the engine's whole
 * public API, and under `__cli` oclif's execute and the command classes. The package's ES-module
 * entry and the command files in dist/commands re-export from it, so the CLI, its commands and a
 * module program's `import 'tjax'` share one engine instance.
 */
import { execute } from '@oclif/core/execute';
import Bench from '../commands/bench.js';
import Devices from '../commands/devices.js';
import Grad from '../commands/grad.js';
import JitInspect from '../commands/jit-inspect.js';
import Run from '../commands/run.js';
import Sample from '../commands/sample.js';

export * from '../engine/index.js';
export const __cli = {
  execute,
  commands: {
    bench: Bench,
    devices: Devices,
    grad: Grad,
    'jit-inspect': JitInspect,
    run: Run,
    sample: Sample,
  },
};
