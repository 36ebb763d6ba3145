/**
 * @file Through the built CLI: a call the user got wrong raises Python's error for it (the argument
 * binder, src/engine/signature), JAX's snake_case names work in expressions, and reading values
 * asynchronously in an expression or returning a Promise from a module program is one clear error
 * (never `{}` and never an unhandled rejection), jitted or not.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tjax } from './run-cli.js';

const run = (expr: string, ...flags: string[]) => tjax(['run', expr, '--arg', 'x=[1.0, 2.0, 3.0]', ...flags]);

describe('wrong calls raise what Python raises', () => {
  const cases: [string, string][] = [
    ['sum(x, axsi=0)', "error: sum() got an unexpected keyword argument 'axsi'. Did you mean 'axis'? at 1:1"],
    ['sin(x, x, x)', 'error: sin() takes 1 positional argument but 3 were given at 1:1'],
    ['linspace()', "error: linspace() missing 2 required positional arguments: 'start' and 'stop' at 1:1"],
    [
      'zeros("3")',
      "error: Shapes must be 1D sequences of concrete values of integer type, got ('3',). at 1:1",
    ],
    [
      'nn.gelu(x, approximate="foo")',
      "error: gelu() argument 'approximate' must be True or False, got 'foo' at 1:1",
    ],
  ];
  for (const [expr, message] of cases) {
    it(expr, () => {
      const r = run(expr);
      expect(r.code).toBe(1);
      expect(r.stderr.split('\n')[0]).toBe(message);
    });
  }
});

describe("JAX's names", () => {
  it('zeros_like, lax.stop_gradient, lax.fori_loop, nn.log_softmax', () => {
    const r = run(
      '(zeros_like(x), lax.stop_gradient(x), lax.fori_loop(0, 2, lambda i, c: c + 1, 0), nn.log_softmax(x))',
      '--json',
    );
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out[0]).toEqual([0, 0, 0]);
    expect(out[1]).toEqual([1, 2, 3]);
    expect(out[2]).toBe(2);
    expect(out[3]).toHaveLength(3);
  });
});

describe('asynchronous reads', () => {
  for (const flags of [[], ['--no-jit']]) {
    it(`x.tolist() in an expression ${flags.join(' ') || '(jitted)'}`, () => {
      const r = run('x.tolist()', ...flags);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: x\.tolist\(\) reads an array's values asynchronously/);
    });
  }

  it('a module program returning a Promise under --no-jit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tjax-async-'));
    const file = join(dir, 'p.mjs');
    writeFileSync(file, 'export default ({ x }) => ({ y: x.tolist() });\n');
    const r = tjax(['run', file, '--arg', 'x=[1.0, 2.0]', '--no-jit']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: the program's result holds a Promise/);
    // Module programs run eagerly unless --jit asks to compile the whole program.
    const jitted = tjax(['run', file, '--arg', 'x=[1.0, 2.0]', '--jit']);
    expect(jitted.code).toBe(1);
    expect(jitted.stderr).toMatch(
      /^error: Abstract tracer value encountered where concrete value is expected/,
    );
  });
});
