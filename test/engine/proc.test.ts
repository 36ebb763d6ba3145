/**
 * @file Scalar procedures (compile/proc.ts): the builder's expression syntax follows JavaScript's
 * precedence, control flow renders to JavaScript (backends/cpu/js-proc.ts) and WGSL
 * (backends/webgpu/wgsl-proc.ts), and the incomplete gamma/beta procedures keep every call site
 * single where it matters for shader size. Numbers of the incomplete functions themselves are
 * tested in scipy/incomplete.test.ts (cpu) and webgpu/webgpu.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { instantiateProcs, renderProcsJs } from '../../src/engine/backends/cpu/js-proc.js';
import * as special from '../../src/engine/backends/cpu/special64.js';
import { procHelpers } from '../../src/engine/backends/webgpu/wgsl-proc.js';
import { walk } from '../../src/engine/compile/kir.js';
import { type Proc, ProcBuilder, procClosure, type Stmt } from '../../src/engine/compile/proc.js';
import { incompleteProcs } from '../../src/engine/compile/special/incomplete.js';
import { float32, float64 } from '../../src/engine/core/dtype.js';

function scope(procs: Proc[] = []) {
  return { consts: { EPS: 2 ** -52 }, procs: new Map(procs.map((p) => [p.name, p])) };
}

/** A one-expression procedure of (a, b, c), compiled to JavaScript. */
function expr(src: string): (a: number, b: number, c: number) => number {
  const b = new ProcBuilder('f', ['a', 'b', 'c'], float64, scope());
  b.ret(src);
  return instantiateProcs({ f: b.build() }, special).f;
}

describe('ProcBuilder expressions', () => {
  it('follow JavaScript precedence and associativity', () => {
    const cases: [string, (a: number, b: number, c: number) => number][] = [
      ['-a * b + c', (a, b, c) => -a * b + c],
      ['a - b - c', (a, b, c) => a - b - c],
      ['a / b / c', (a, b, c) => a / b / c],
      ['a ** b * c', (a, b, c) => a ** b * c],
      ['a ** -b', (a, b) => a ** -b],
      ['-(a - b) * c', (a, b, c) => -(a - b) * c],
      ['a < b ? a + c : -0.5 * b', (a, b, c) => (a < b ? a + c : -0.5 * b)],
      ['a > 1 && b > 1 || c > 1 ? 1 : 0', (a, b, c) => ((a > 1 && b > 1) || c > 1 ? 1 : 0)],
      ['!(a >= b) ? min(a, c) : max(b, c)', (a, b, c) => (!(a >= b) ? Math.min(a, c) : Math.max(b, c))],
      ['isnan(a) ? 1 : a == Infinity ? 2 : 3', (a) => (Number.isNaN(a) ? 1 : a === Infinity ? 2 : 3)],
      [
        'log1p(a) - expm1(b) + sqrt(abs(c)) * sign(c)',
        (a, b, c) => Math.log1p(a) - Math.expm1(b) + Math.sqrt(Math.abs(c)) * Math.sign(c),
      ],
      ['1.5e-3 * a + .25', (a) => 1.5e-3 * a + 0.25],
    ];
    const pts = [
      [0.5, 2, 3],
      [3, 2, -1],
      [2, 2, 0.25],
      [1.5, 0.5, 4],
      [Number.NaN, 1, 2],
      [Infinity, 1, 0.5],
    ];
    for (const [src, ref] of cases) {
      const f = expr(src);
      for (const [a, b, c] of pts)
        expect(Object.is(f(a, b, c), ref(a, b, c)), `${src} at ${[a, b, c]}`).toBe(true);
    }
  });

  it('rejects unknown names, redeclarations and wrong arities', () => {
    const b = () => new ProcBuilder('g', ['a'], float64, scope());
    expect(() => b().ret('a + q')).toThrow(/unknown name q/);
    expect(() => b().ret('frob(a)')).toThrow(/unknown function frob/);
    expect(() => b().let('a', '1')).toThrow(/a is already declared/);
    expect(() => b().set('z', '1')).toThrow(/undeclared z/);
    expect(() => b().ret('(a + 1')).toThrow(/expected \)/);
  });
});

describe('procedures with control flow', () => {
  /** sum_{k>=1} x^k / k until a term is below EPS of the sum (-log(1 - x)), via a callee. */
  function build(dt = float64) {
    const s = scope();
    const term = new ProcBuilder('term', ['x', 'k'], dt, s);
    term.ret('x ** k / k');
    s.procs.set('term', term.build());
    const b = new ProcBuilder('series', ['x'], dt, s);
    b.let('s', '0');
    b.let('k', '1');
    b.loop(1000, () => {
      b.let('t', 'term(x, k)');
      b.set('s', 's + t');
      b.if('abs(t) <= EPS * abs(s)', () => b.break());
      b.set('k', 'k + 1');
    });
    b.if(
      'k > 999',
      () => b.ret('NaN'),
      () => b.ret('s'),
    );
    return b.build();
  }

  it('runs loops with early exit and calls in JavaScript', () => {
    const { series } = instantiateProcs({ series: build() }, special);
    for (const x of [0.1, 0.5, -0.7]) expect(series(x)).toBeCloseTo(-Math.log1p(-x), 14);
    // Not converged within the cap: the statement after the loop sees the counter.
    expect(series(0.9999999)).toBeNaN();
  });

  it('renders callees first, each once, and the same statements as WGSL', () => {
    const p = build(float32);
    expect(procClosure([p, p]).map((q) => q.name)).toEqual(['term', 'series']);
    const js = renderProcsJs([build()]);
    expect(js).toMatch(/for \(let it1 = 0; it1 < 1000; it1\+\+\) \{/);
    const wgsl = procHelpers([p]);
    expect(wgsl.h_series.deps).toEqual(expect.arrayContaining(['h_term', 'h_nan']));
    expect(wgsl.h_series.code).toMatch(/^fn h_series\(v_x: f32\) -> f32 \{/);
    expect(wgsl.h_series.code).toMatch(/for \(var it1 = 0; it1 < 1000; it1\+\+\) \{/);
    expect(wgsl.h_series.code).toContain('break;');
    expect(() => procHelpers([build()])).toThrow(/float64, not float32/);
  });
});

describe('incomplete gamma and beta procedures', () => {
  /** IR nodes of a procedure with every call inlined, as a shader compiler does. */
  function inlinedSize(p: Proc, memo = new Map<Proc, number>()): number {
    const hit = memo.get(p);
    if (hit !== undefined) return hit;
    let n = 0;
    const visit = (body: readonly Stmt[]) => {
      for (const s of body) {
        if ('e' in s) walk(s.e, () => n++);
        if (s.s === 'if') {
          walk(s.c, () => n++);
          visit(s.yes);
          visit(s.no);
        }
        if (s.s === 'loop') visit(s.body);
        if (s.s === 'call') n += inlinedSize(s.proc, memo);
      }
    };
    visit(p.body);
    memo.set(p, n);
    return n;
  }

  it('stay small once inlined (a shader compiles in about a second on llvmpipe)', () => {
    // Calling a method at two sites doubles what a shader compiler must inline; these bounds fail
    // when that creeps back (the first version, with a call per branch, inlined to 6,800 nodes).
    const sizes = Object.fromEntries(
      Object.entries(incompleteProcs(float32)).map(([k, p]) => [k, inlinedSize(p)]),
    );
    for (const [k, n] of Object.entries(sizes)) expect(n, k).toBeLessThan(2000);
  });

  it('are built once per dtype', () => {
    expect(incompleteProcs(float64)).toBe(incompleteProcs(float64));
    expect(incompleteProcs(float32).igamma.dt).toBe(float32);
  });
});
