/**
 * @file Calls in the expression language bind as Python binds them, against JAX's signatures
 * (src/engine/signature): each call of fixtures/calls.json (fixtures/make_calls.py, JAX 0.10.2)
 * raises JAX's error class with JAX's message, or returns JAX's value. A handful of messages are
 * tjax's where JAX's own text names Python internals (listed in DIFFERENT, with the reason);
 * tjax may add Python 3.13's ". Did you mean 'axis'?" to an unexpected keyword argument.
 */
import { describe, expect, it } from 'vitest';
import fixture from '../../fixtures/calls.json' with { type: 'json' };
import * as engine from '../../src/engine/index.js';
import { evaluateExpression } from '../../src/expr/evaluate.js';
import { parseExpression } from '../../src/expr/index.js';

const x = engine.numpy.asarray(fixture.x, { dtype: 'float32' });
const y = engine.numpy.asarray(fixture.y, { dtype: 'int32' });

function run(expr: string): unknown {
  return evaluateExpression(
    expr,
    parseExpression(expr),
    new Map<string, unknown>([
      ['x', x],
      ['y', y],
    ]),
  );
}

/** The engine's error under the expression's position wrapper. */
function engineError(expr: string): Error {
  try {
    run(expr);
  } catch (e) {
    return ((e as { cause?: unknown }).cause as Error) ?? (e as Error);
  }
  throw new Error(`${expr} did not raise`);
}

/** Where tjax's message differs from JAX's, and why (the class is still JAX's). */
const DIFFERENT: Record<string, string> = {
  // JAX's custom_jvp reports its own binding failure; Python's wording for relu(x) is clearer.
  'nn.relu(x, x)': 'relu() takes 1 positional argument but 2 were given',
  // JAX's text prints a function's address: tjax gives check_arraylike's message instead.
  "sin('a')": "sin requires ndarray or scalar arguments, got <class 'str'> at position 0.",
};

async function toList(v: unknown): Promise<unknown> {
  if (Array.isArray(v)) return Promise.all(v.map(toList));
  if (v instanceof engine.Array) return v.tolist();
  return v;
}

function close(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((e, i) => close(e, b[i]));
  if (typeof a === 'number' && typeof b === 'number')
    return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
  return a === b || (b === null && typeof a === 'object');
}

describe('calls bind as Python binds them (fixtures/calls.json)', () => {
  for (const c of fixture.calls) {
    it(c.expr, async () => {
      if ('error' in c && c.error) {
        const err = engineError(c.expr);
        expect(err.name, `${c.expr}: ${err.message}`).toBe(c.error.type);
        const want = DIFFERENT[c.expr] ?? c.error.message;
        const got = err.message.split('\n')[0].replace(/\. Did you mean '\w+'\?$/, '');
        expect(got).toBe(want);
      } else {
        const got = await toList(run(c.expr));
        expect(close(got, (c as { value: unknown }).value), JSON.stringify(got)).toBe(true);
      }
    });
  }

  it("suggests the keyword the user meant, in the expression language's spelling", () => {
    expect(engineError('sum(x, axsi=0)').message).toBe(
      "sum() got an unexpected keyword argument 'axsi'. Did you mean 'axis'?",
    );
    expect(engineError('sort(x, desending=True)').message).toBe(
      "sort() got an unexpected keyword argument 'desending'. Did you mean 'descending'?",
    );
  });

  it('takes JAX arguments tjax lacks only at their default value', () => {
    expect(String(run('sum(x, promote_integers=True)'))).toBe('Array(15., dtype=float32)');
    const e = engineError('sum(x, promote_integers=False)');
    expect([e.name, e.message]).toEqual([
      'NotImplementedError',
      "The 'promote_integers' argument to jnp.sum is not supported.",
    ]);
  });

  it('names JAX functions by their Python names under lax, nn and random', () => {
    expect(engineError('lax.stop_gradient(x, x)').message).toBe(
      'stop_gradient() takes 1 positional argument but 2 were given',
    );
    expect(engineError('nn.log_softmax(x, axes=0)').message).toMatch(
      /^log_softmax\(\) got an unexpected keyword argument 'axes'/,
    );
  });
});

describe('nn.standardize uses the statistics it is given (fixtures/calls.json)', () => {
  const s = engine.numpy.asarray(fixture.standardize.x, { dtype: 'float32' });
  for (const c of fixture.standardize.cases) {
    it(c.name, async () => {
      const kw = c.kw as Record<string, unknown>;
      const opts: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(kw)) {
        opts[k] =
          k === 'where'
            ? engine.numpy.asarray(v)
            : k === 'mean' || k === 'variance'
              ? engine.numpy.asarray(v, { dtype: 'float32' })
              : v;
      }
      const out = await engine.nn.standardize(s, opts).tolist();
      expect(close(out, c.out), JSON.stringify(out)).toBe(true);
    });
  }
});
