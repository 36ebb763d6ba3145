/**
 * @file EXPR|FILE -> a function of named inputs. An expression is parsed once and evaluated
 * (traced) by the evaluator; a module's default export takes one object of named inputs and
 * returns a pytree. `.ts` modules are transpiled on the fly by tsx.
 */

import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dynamicImport } from '../engine/dynamic-import.js';
import { evaluateExpression, inputNames } from '../expr/evaluate.js';
import { freeNames, parseExpression, suggestName } from '../expr/index.js';
import { builtins } from '../expr/scope.js';
import { UsageError } from './errors.js';

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
    const url = pathToFileURL(resolve(spec)).href;
    let mod: Record<string, unknown>;
    if (/\.m?ts$/.test(spec)) {
      // Register tsx globally rather than tsImport's namespaced loader: a namespace would load a
      // second copy of 'tjax' for the module, whose arrays the CLI's copy would not recognise.
      const { register } = await dynamicImport<typeof import('tsx/esm/api')>('tsx/esm/api');
      register();
      mod = await dynamicImport<Record<string, unknown>>(url);
    } else {
      mod = await dynamicImport<Record<string, unknown>>(url);
    }
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
