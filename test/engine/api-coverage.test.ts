/**
 * @file How much of JAX's public API tjax has, per namespace, against the names JAX 0.10.2 lists
 * (fixtures/api_names.json, made by fixtures/make_api_names.py; scripts/api-catalog.ts matches
 * them). The table is printed on every run; the floors below only go up, so coverage cannot
 * silently shrink. Every name tjax has is also reachable from the expression language under its
 * JAX name (`jnp.histogram_bin_edges`, `scipy.stats.norm.pdf`, `random.rayleigh`).
 */
import { describe, expect, it } from 'vitest';
import { coverage, coverageTable, loadJaxNames, NAMESPACES, resolve } from '../../scripts/api-catalog.js';
import { builtins, Namespace } from '../../src/expr/scope.js';

/** Names present (functions, classes, dtypes, constants; primitives apart), per namespace. */
const FLOORS: Record<string, { names: number; primitives?: number }> = {
  'jax.numpy': { names: 377 },
  'jax.numpy.linalg': { names: 31 },
  'jax.numpy.fft': { names: 18 },
  'jax.lax': { names: 185, primitives: 132 },
  'jax.nn': { names: 32 },
  'jax.nn.initializers': { names: 19 },
  'jax.random': { names: 47, primitives: 0 },
  'jax.scipy.special': { names: 51 },
  'jax.scipy.stats': { names: 116 },
};

describe('JAX API coverage', () => {
  const rows = coverage();
  console.log(`\n${coverageTable(rows)}\n`);

  it('lists every namespace the fixture has', () => {
    expect(Object.keys(loadJaxNames().namespaces)).toEqual(NAMESPACES.map((n) => n.jax));
    expect(loadJaxNames().jax).toBe('0.10.2');
  });

  for (const r of rows) {
    it(`${r.namespace}: at least ${FLOORS[r.namespace].names} of ${r.total} names`, () => {
      expect(r.have).toBeGreaterThanOrEqual(FLOORS[r.namespace].names);
      expect(r.primitives.have).toBeGreaterThanOrEqual(FLOORS[r.namespace].primitives ?? 0);
    });
  }

  it('finds names by snake_case and camelCase, members of dotted names, and primitives', () => {
    const ns = { histogram_bin_edges: 1, atleast1d: 2, norm: { pdf: 3 } };
    expect(resolve(ns, { name: 'histogram_bin_edges', kind: 'function' })?.value).toBe(1);
    expect(resolve(ns, { name: 'atleast_1d', kind: 'function' })?.key).toBe('atleast1d');
    expect(resolve(ns, { name: 'norm.pdf', kind: 'function' })?.value).toBe(3);
    expect(resolve(ns, { name: 'norm.cdf', kind: 'function' })).toBeNull();
    expect(resolve(ns, { name: 'nope', kind: 'function' })).toBeNull();
    expect(resolve(ns, { name: 'sin_p', kind: 'primitive' })?.key).toBe('sin');
    expect(resolve(ns, { name: 'nope_p', kind: 'primitive' })).toBeNull();
  });

  it('every jax.numpy name tjax has is reachable in the expression language as jnp.<name>', () => {
    const jnp = builtins().get('jnp');
    expect(jnp).toBeInstanceOf(Namespace);
    const { namespaces } = loadJaxNames();
    const numpy = NAMESPACES[0].module();
    const unreachable = namespaces['jax.numpy']
      .filter((e) => resolve(numpy, e) && !(jnp as Namespace).has(e.name))
      .map((e) => e.name);
    expect(unreachable).toEqual([]);
  });

  it('every lax, nn, random and scipy name tjax has is reachable in the expression language', () => {
    const scope = builtins();
    const { namespaces } = loadJaxNames();
    const unreachable: string[] = [];
    for (const { jax, tjax, module } of NAMESPACES) {
      if (jax.startsWith('jax.numpy') || jax === 'jax.nn.initializers') continue;
      const mod = module();
      for (const e of namespaces[jax]) {
        if (e.kind !== 'function' || !resolve(mod, e)) continue;
        let obj: unknown = scope.get(tjax.split('.')[0]);
        for (const part of [...tjax.split('.').slice(1), ...e.name.split('.')])
          obj = obj instanceof Namespace ? obj.get(part) : undefined;
        if (obj === undefined) unreachable.push(`${jax}.${e.name}`);
      }
    }
    expect(unreachable).toEqual([]);
  });
});
