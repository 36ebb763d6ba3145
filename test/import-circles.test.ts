/**
 * @file No import circles in src/ (issue 18), type-only imports included: scripts/import-circles.ts
 * finds them. The circles still there are listed in REMAINING, each to be broken by moving the
 * shared piece down a level; the test fails on a new circle and on a listed one that is gone (so
 * the list only shrinks). Once REMAINING is empty, any circle fails.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { importCircles } from '../scripts/import-circles.js';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Each remaining circle's files, relative to src/, sorted; the circles sorted by their first file. */
const REMAINING: string[][] = [
  // runtime -> gemm-units/conv-units -> blas -> threads -> chunks -> runtime.
  [
    'engine/backends/cpu/blas.ts',
    'engine/backends/cpu/chunks.ts',
    'engine/backends/cpu/conv-units.ts',
    'engine/backends/cpu/gemm-units.ts',
    'engine/backends/cpu/runtime.ts',
    'engine/backends/cpu/threads.ts',
  ],
  // program.ts runs control kernels (control.ts), which compile nested programs with program.ts.
  ['engine/backends/cpu/control.ts', 'engine/backends/cpu/program.ts'],
  ['engine/core/methods.ts', 'engine/core/trace.ts'],
  // random/samplers.ts imports nn (for softmax), whose index re-exports the initializers built on it.
  [
    'engine/nn/index.ts',
    'engine/nn/initializers.ts',
    'engine/random/multivariate.ts',
    'engine/random/samplers.ts',
  ],
  // linalg.ts's namespace object holds eig/eigvals; linalg-eig.ts's roots builds with linalg's diag.
  ['engine/numpy/linalg-eig.ts', 'engine/numpy/linalg.ts'],
  // conv-gemm.ts reads conv-lower.ts's geometry; conv-lower.ts picks the im2col path.
  ['engine/primitives/conv-gemm.ts', 'engine/primitives/conv-lower.ts'],
];

it('src/ has no import circles but the ones still listed', () => {
  const found = importCircles(SRC);
  if (found.length > 0)
    console.log(`import circles in src/:\n${found.map((c) => `  ${c.join(' <-> ')}`).join('\n')}`);
  expect(found).toEqual(REMAINING);
});

it('counts type-only imports and re-exports, not dynamic import()', () => {
  const dir = mkdtempSync(join(tmpdir(), 'circles-'));
  writeFileSync(join(dir, 'a.ts'), "import type { B } from './b.js';\nexport interface A { b: B }\n");
  writeFileSync(join(dir, 'b.ts'), "import type { A } from './a.js';\nexport interface B { a?: A }\n");
  writeFileSync(
    join(dir, 'c.ts'),
    "export { a } from './d.js';\nexport const lazy = () => import('./a.js');\n",
  );
  writeFileSync(join(dir, 'd.ts'), "import './c.js';\nexport const a = 1;\n");
  expect(importCircles(dir)).toEqual([
    ['a.ts', 'b.ts'],
    ['c.ts', 'd.ts'],
  ]);
});
