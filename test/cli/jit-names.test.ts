/**
 * @file The names of inner `jit`s, through the built bundle (dist/tjax.cjs), where esbuild renames
 * a function that shares a top-level name (`sort` became `sort4`). fixtures/jit_names.json (made by
 * fixtures/make_jit_names.py) holds the names JAX 0.10.2 prints for expressions over every
 * namespace function that wraps itself in jit; every name tjax prints must be one of them.
 * A module program keeps its own function names too.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fixture from '../../fixtures/jit_names.json' with { type: 'json' };
import { tjax } from './run-cli.js';

/**
 * Inner functions tjax names that JAX's decomposition does not have (jaxprs that differ from JAX's
 * are issue 15's "Jaxprs that read like JAX's", another change): real names, not renamed ones.
 */
const TJAX_ONLY = new Set(['logaddexp', '_lognormal', '_binomial']);

const namesIn = (jaxpr: string) => [...new Set([...jaxpr.matchAll(/name=(\S+)/g)].map((m) => m[1]))].sort();

describe('inner jit names', () => {
  it('sort(cumsum(x)) prints name=cumsum and name=sort', () => {
    const r = tjax(['jit-inspect', 'sort(cumsum(x))', '--arg', 'x=f32[3]']);
    expect(r.stderr).toBe('');
    expect(namesIn(r.stdout)).toEqual(['cumsum', 'sort']);
  });

  it('every inner jit over the namespaces has a JAX name', () => {
    const cases = fixture.cases.filter((c) => !c.expr.includes('take_along_axis'));
    const expr = `(${cases.map((c) => c.expr).join(', ')})`;
    const r = tjax(['jit-inspect', expr, '--arg', 'x=f32[3]']);
    expect(r.stderr).toBe('');
    const jaxNames = new Set(fixture.cases.flatMap((c) => c.names));
    const printed = namesIn(r.stdout);
    expect(printed.length).toBeGreaterThan(20);
    expect(printed.filter((n) => !jaxNames.has(n) && !TJAX_ONLY.has(n))).toEqual([]);
  });

  it("a module program's functions keep their names", () => {
    const dir = mkdtempSync(join(tmpdir(), 'tjax-names-'));
    const file = join(dir, 'prog.mjs');
    writeFileSync(
      file,
      [
        "import { jit } from 'tjax';",
        'function loss(v) { return v; }',
        'export default ({ x }) => jit(function loss(v) { return v.mul(2); })(loss(x));',
      ].join('\n'),
    );
    const r = tjax(['jit-inspect', file, '--arg', 'x=f32[3]']);
    expect(r.stderr).toBe('');
    expect(namesIn(r.stdout)).toEqual(['loss']);
  });
});
