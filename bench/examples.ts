/**
 * @file The example programs against their JAX + flax + optax versions (issue 14): time per step of
 * the 2-D WGAN-GP (a generator iteration: 5 critic steps and a generator step), the digit
 * classifier (a training step at batch 128) and the convolutional WGAN (an iteration at batch 64),
 * tjax on the CPU and, in the same run, JAX on XLA's CPU when TJAX_BENCH_PYTHON names a Python with
 * jax, flax and optax (bench/jax/*.py). tjax's figure is a whole run's time over its steps (it
 * includes the first, compiling, step: run enough steps), JAX's the median of steps after a
 * warm-up. Ratios are the goal's measure (issue 14: <= 3x JAX for the WGAN-GP and the CNN).
 *
 * Run: npx tsx bench/examples.ts [wgan-gp-2d] [classifier] [wgan-digits]   (TJAX_BENCH_STEPS=N)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CASES: Record<string, { steps: number; py: string }> = {
  'wgan-gp-2d': { steps: 200, py: 'wgan_gp_2d.py' },
  classifier: { steps: 40, py: 'classifier.py' },
  'wgan-digits': { steps: 10, py: 'wgan_digits.py' },
};

const only = process.argv.slice(2);
const python = process.env.TJAX_BENCH_PYTHON;
for (const [name, c] of Object.entries(CASES)) {
  if (only.length && !only.includes(name)) continue;
  const steps = Number(process.env.TJAX_BENCH_STEPS ?? c.steps);
  const mod = (await import(`../fixtures/examples/${name}.ts`)) as {
    default: (o: object) => Promise<{ seconds: number }>;
  };
  const out = mkdtempSync(join(tmpdir(), `tjax-bench-${name}-`));
  const r = await mod.default({ steps, out, every: steps });
  const tjaxMs = (r.seconds * 1000) / steps;
  let line = `${name.padEnd(12)} tjax ${tjaxMs.toFixed(1).padStart(8)} ms/step (${steps} steps in ${r.seconds.toFixed(1)} s)`;
  if (python) {
    try {
      const ms = Number(
        execFileSync(python, [join('bench', 'jax', c.py), String(Math.max(5, Math.min(steps, 50)))], {
          encoding: 'utf8',
        }).trim(),
      );
      line += `   jax ${ms.toFixed(1).padStart(8)} ms/step   ratio ${(tjaxMs / ms).toFixed(2)}x`;
    } catch (e) {
      line += `   jax failed (${(e as Error).message.split('\n')[0]})`;
    }
  }
  console.log(line);
}
