/**
 * @file Module programs as JAX programs (issue: real programs from the command line): they run
 * eagerly by default and call jit themselves, async default exports are awaited, `--set` passes
 * plain values unchanged, `--seed` gives a `key` input, `--jit` compiles a pure program whole, and
 * results that are not arrays print as JSON instead of `{}`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tjax } from './run-cli.js';

function program(name: string, text: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'tjax-prog-')), name);
  writeFileSync(p, text);
  return p;
}

const TRAIN = `import { grad, jit, numpy as jnp, random } from 'tjax';
export default async function main({ steps, out, key, x }) {
  const loss = (w) => jnp.sum(jnp.square(w.sub(x)));
  const step = jit((w) => w.sub(grad(loss)(w).mul(0.1)));
  let w = random.normal(key, [3]);
  for (let i = 0; i < steps; i++) w = step(w);
  return { out, steps, w: Array.from(await w.data(), (v) => Math.round(v * 100) / 100) };
}
`;

describe('module programs', () => {
  it('run eagerly by default: a training loop with jit inside, reading values, async', () => {
    const p = program('train.mjs', TRAIN);
    const r = tjax([
      'run',
      p,
      '--set',
      'steps=60',
      '--set',
      'out=runs/a',
      '--seed',
      '0',
      '--arg',
      'x=[1.0,2.0,3.0]',
    ]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ out: 'runs/a', steps: 60, w: [1, 2, 3] });
  });

  it('an async program under --jit is a usage error, not a crash', () => {
    const p = program('train.mjs', TRAIN);
    const r = tjax([
      'run',
      p,
      '--set',
      'steps=1',
      '--set',
      'out=o',
      '--seed',
      '0',
      '--arg',
      'x=[1.0]',
      '--jit',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: the program is async, so it cannot be jitted as a whole: drop --jit (it then runs eagerly, and may call jit itself)\n',
    );
  });

  it('--jit compiles a pure program whole, with --set values static', () => {
    const p = program(
      'pure.mjs',
      "import { numpy as jnp } from 'tjax';\nexport default ({ x, n, mode }) => (mode === 'sum' ? jnp.sum(x.mul(n)) : jnp.max(x));\n",
    );
    const args = ['run', p, '--arg', 'x=[1.0,2.0]', '--set', 'n=3', '--set', 'mode=sum'];
    expect(tjax([...args, '--jit']).stdout).toBe('9.0\n');
    expect(tjax(args).stdout).toBe('9.0\n');
    expect(
      tjax(['jit-inspect', p, '--arg', 'x=f32[2]', '--set', 'n=3', '--set', 'mode=sum']).stdout,
    ).toContain('mul a 3.0:f32[]');
  });

  it('--set values arrive unchanged: numbers, booleans, JSON objects, strings, paths', () => {
    const p = program('echo.mjs', 'export default (inputs) => ({ ...inputs });\n');
    const r = tjax([
      'run',
      p,
      '--set',
      'a=2.5',
      '--set',
      'b=true',
      '--set',
      'c={"lr": 0.1, "d": [1, 2]}',
      '--set',
      'd=runs/x.npz',
      '--set',
      'e=',
    ]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      a: 2.5,
      b: true,
      c: { d: [1, 2], lr: 0.1 },
      d: 'runs/x.npz',
      e: '',
    });
  });

  it('prints results that are not arrays as JSON, and refuses what it cannot write', () => {
    expect(tjax(['run', program('s.mjs', 'export default () => "done";\n')]).stdout).toBe('"done"\n');
    expect(tjax(['run', program('n.mjs', 'export default () => ({ loss: 0.5, steps: 3 });\n')]).stdout).toBe(
      '{"loss": 0.5, "steps": 3}\n',
    );
    const r = tjax(['run', program('m.mjs', 'export default () => new Map();\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot write a Map result/);
  });

  it('--seed gives expressions a key too, and clashes are usage errors', () => {
    expect(tjax(['run', 'random.normal(key, (2,))', '--seed', '0']).stdout).toBe('1.6226422\n2.0252647\n');
    const r = tjax(['run', 'key', '--seed', '0', '--arg', 'key=[1]']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--seed gives the program its `key` input/);
    expect(tjax(['run', 'x', '--arg', 'x=[1]', '--set', 'x=2']).stderr).toMatch(/x is given twice/);
    expect(tjax(['run', 'x', '--set', 'x']).stderr).toMatch(/--set expects name=VALUE/);
    expect(tjax(['run', '1', '--seed', 'abc']).stderr).toMatch(/--seed expects an integer/);
  });
});
