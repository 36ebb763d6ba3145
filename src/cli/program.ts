/**
 * @file EXPR|FILE -> a function of named inputs. An expression is parsed once and evaluated
 * (traced) by the evaluator; a module's default export takes one object of named inputs and
 * returns a pytree. Modules are bundled and loaded by module-program.ts.
 */

import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { evaluateExpression, inputNames } from '../expr/evaluate.js';
import { freeNames, parseExpression, suggestName } from '../expr/index.js';
import { builtins } from '../expr/scope.js';
import { UsageError } from './errors.js';
import { importProgram } from './module-program.js';

export interface Program {
  /** What the user gave (for messages). */
  source: string;
  kind: 'expression' | 'module';
  /** Input names the program reads (expressions: free names; modules: unknown = all given). */
  inputs: string[] | null;
  fn: (inputs: Record<string, unknown>) => unknown;
}

const MODULE_EXT = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts']);

export async function loadProgram(spec: string): Promise<Program> {
  if (MODULE_EXT.has(extname(spec)) && existsSync(spec)) {
    const mod = await importProgram(spec);
    const f = (mod.default ?? (mod as { default?: unknown }).default) as unknown;
    if (typeof f !== 'function') throw new UsageError(`${spec}: the module has no default export function`);
    return {
      source: spec,
      kind: 'module',
      inputs: null,
      fn: (inputs) => (f as (i: unknown) => unknown)(inputs),
    };
  }
  if (MODULE_EXT.has(extname(spec)) && /^[\w./-]+$/.test(spec) && !existsSync(spec) && spec.includes('/')) {
    throw new UsageError(`${spec}: no such file`);
  }
  const ast = parseExpression(spec);
  const names = inputNames(freeNames(ast));
  return {
    source: spec,
    kind: 'expression',
    inputs: names,
    fn: (inputs) => evaluateExpression(spec, ast, new Map(Object.entries(inputs))),
  };
}

/** Check every input the program reads has an --arg, and every --arg is read. */
export function checkInputs(p: Program, given: string[]): void {
  if (!p.inputs) return;
  // A name close to a builtin is more likely a typo: the evaluator reports it with a caret.
  const known = [...builtins().keys()];
  const missing = p.inputs.filter((n) => !given.includes(n) && !suggestName(n, known));
  if (missing.length) {
    throw new UsageError(
      `missing input${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}: pass --arg ${missing[0]}=SOURCE`,
    );
  }
}
