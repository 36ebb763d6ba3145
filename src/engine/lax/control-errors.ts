/**
 * @file The errors of lax's control flow (control.ts) in JAX's words: cond/switch branches whose
 * outputs differ in pytree structure or type, and loop bodies whose carry output differs from
 * their carry input, naming the paths (tree_util.keystr) and functions as
 * jax/_src/lax/control_flow/common.py (_check_tree_and_avals) and loops.py (_check_carry_type) do.
 */
import type { ShapedArray } from '../core/aval.js';
import type { TreeDef } from '../core/pytree.js';
import { type Fn, typematch } from './control-staging.js';

/** The first parameter's name of a JS function, as JAX reads a Python signature (or null). */
function firstParamName(f: Fn): string | null {
  let src = Function.prototype.toString.call(f).trim();
  src = src.replace(/^async\s+/, '');
  if (src.startsWith('function')) src = src.replace(/^function\s*\*?\s*[\w$]*\s*/, '');
  else if (/^[A-Za-z_$][\w$]*\s*\(/.test(src) && !/^[A-Za-z_$][\w$]*\s*=>/.test(src)) {
    src = src.replace(/^[A-Za-z_$][\w$]*\s*/, ''); // a method: name(args) { ... }
  }
  const m = /^\(?\s*([A-Za-z_$][\w$]*)/.exec(src);
  return m ? m[1] : null;
}

function funInfo(f: Fn): string {
  return f.name || '<lambda>';
}

function capitalize(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

/** keystr of every leaf's path (`[1]`, `['a']`), in flattening order. */
function leafPaths(def: TreeDef, prefix = ''): string[] {
  switch (def.kind) {
    case 'leaf':
      return [prefix];
    case 'none':
      return [];
    case 'list':
      return def.children.flatMap((c, i) => leafPaths(c, `${prefix}[${i}]`));
    case 'dict':
      return def.children.flatMap((c, i) => leafPaths(c, `${prefix}['${(def.aux as string[])[i]}']`));
    case 'custom':
      return def.children.flatMap((c, i) => leafPaths(c, `${prefix}[<flat index ${i}>]`));
  }
}

function typeName(d: TreeDef, leaf: string): string {
  switch (d.kind) {
    case 'leaf':
      return leaf;
    case 'none':
      return "<class 'NoneType'>";
    case 'list':
      return "<class 'tuple'>";
    case 'dict':
      return "<class 'dict'>";
    case 'custom':
      return `<class '${d.node!.name}'>`;
  }
}

/** tree_util.equality_errors on two tree structures: [path, thing1, thing2, explanation]. */
function equalityErrors(
  t1: TreeDef,
  t2: TreeDef,
  leaf: string,
  path = '',
): [string, string, string, string][] {
  if (t1.kind === 'leaf' && t2.kind === 'leaf') return [];
  if (t1.kind !== t2.kind || (t1.kind === 'custom' && t1.node !== t2.node)) {
    return [[path, typeName(t1, leaf), typeName(t2, leaf), 'their Python types differ']];
  }
  const n1 = t1.children.length;
  const n2 = t2.children.length;
  if (t1.kind === 'list' && n1 !== n2) {
    return [[path, `tuple of length ${n1}`, `tuple of length ${n2}`, 'the lengths do not match']];
  }
  if (n1 !== n2) {
    const k1 = new Set((t1.aux as string[] | null) ?? []);
    const k2 = new Set((t2.aux as string[] | null) ?? []);
    const diff = [...k1].filter((k) => !k2.has(k)).concat([...k2].filter((k) => !k1.has(k)));
    const kids = (n: number) => `child${n > 1 ? 'ren' : ''}`;
    return [
      [
        path,
        `${typeName(t1, leaf)} with ${n1} ${kids(n1)}`,
        `${typeName(t2, leaf)} with ${n2} ${kids(n2)}`,
        `the numbers of children do not match${diff.length ? `, with the symmetric difference of key sets: {${diff.map((k) => `'${k}'`).join(' ')}}` : ''}`,
      ],
    ];
  }
  if (JSON.stringify(t1.aux) !== JSON.stringify(t2.aux)) {
    return [
      [
        path,
        `${typeName(t1, leaf)} with pytree metadata ${JSON.stringify(t1.aux)}`,
        `${typeName(t2, leaf)} with pytree metadata ${JSON.stringify(t2.aux)}`,
        'the pytree node metadata does not match',
      ],
    ];
  }
  return t1.children.flatMap((c, i) => {
    const key = t1.kind === 'dict' ? `['${(t1.aux as string[])[i]}']` : `[${i}]`;
    return equalityErrors(c, t2.children[i], leaf, path + key);
  });
}

function listDiffs(diffs: string[], sep: string): string {
  if (diffs.length === 1) return `${capitalize(diffs[0])}.\n`;
  return `${diffs
    .slice(0, -1)
    .map((d) => `  * ${d};${sep}`)
    .join('\n')}${sep === '' ? '\n' : ''}  * ${diffs[diffs.length - 1]}.\n`;
}

function mismatchExtra(a: ShapedArray, b: ShapedArray): string {
  const m: string[] = [];
  if (a.dtype !== b.dtype) m.push('the dtypes do not match');
  if (!(a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]))) {
    m.push('the shapes do not match');
  }
  if (m.length === 0) return '';
  if (m.length === 1) return `, so ${m[0]}`;
  return `, so ${m.slice(0, -1).join(', ')}, and ${m[m.length - 1]}`;
}

/** ShapedArray.str_short as JAX's messages print it: `float32[2]`. */
export function strShort(a: ShapedArray): string {
  return `${a.dtype.name}[${a.shape.join(',')}]`;
}

export function checkBranchOutputs(
  api: string,
  name1: string,
  name2: string,
  f1: Fn,
  f2: Fn,
  tree1: TreeDef,
  avals1: ShapedArray[],
  tree2: TreeDef,
  avals2: ShapedArray[],
): void {
  const head = `${name1} is ${funInfo(f1)}\n${name2} is ${funInfo(f2)}\n\n`;
  if (!tree1.equals(tree2)) {
    const component = (p: string) => (p ? ` at path ${p}` : '');
    const diffs = equalityErrors(tree1, tree2, 'pytree leaf').map(
      ([p, a, b, why]) =>
        `${name1} output${component(p)} is a ${a} but ${name2} output${component(p)} is a ${b}, so ${why}`,
    );
    if (!diffs.length) return;
    const differences =
      diffs.length === 1
        ? `${diffs[0]}.\n`
        : `${diffs
            .slice(0, -1)
            .map((d) => `  * ${d};\n`)
            .join('\n')}  * ${diffs[diffs.length - 1]}.\n`;
    throw new TypeError(
      `${api} branch outputs must have the same pytree structure, but they differ:\n\n${head}${differences}\nRevise ${name1} and/or ${name2} so that they have the same pytree structure.`,
    );
  }
  const paths = leafPaths(tree1);
  const diffs: string[] = [];
  avals1.forEach((a1, i) => {
    const a2 = avals2[i];
    if (!typematch(a1, a2)) {
      const at = paths[i] ? ` at path ${paths[i]}` : '';
      diffs.push(
        `the output of ${name1}${at} has type ${strShort(a1)} but the corresponding output of ${name2} has type ${strShort(a2)}${mismatchExtra(a1, a2)}`,
      );
    }
  });
  if (!diffs.length) return;
  throw new TypeError(
    `${api} branches must have equal output types but they differ.\n\n${head}${listDiffs(diffs, '')}\nRevise ${name1} and/or ${name2} so that all output types match.`,
  );
}

export function checkCarryType(
  name: string,
  bodyFun: Fn,
  inTree: TreeDef,
  inAvals: ShapedArray[],
  outTree: TreeDef,
  outAvals: ShapedArray[],
): void {
  const carryName = firstParamName(bodyFun);
  const component = (p: string) =>
    carryName
      ? p
        ? `the input carry component ${carryName}${p}`
        : `the input carry ${carryName}`
      : p
        ? `the input carry at path ${p}`
        : 'the input carry';
  if (!inTree.equals(outTree)) {
    const diffs = equalityErrors(inTree, outTree, "<class 'jax._src.core.ShapedArray'>").map(
      ([p, a, b, why]) =>
        `${component(p)} is a ${a} but the corresponding component of the carry output is a ${b}, so ${why}`,
    );
    if (!diffs.length) return;
    throw new TypeError(
      `${name} function carry input and carry output must have the same pytree structure, but they differ:\n\n${listDiffs(diffs, '\n')}\nRevise the function so that the carry output has the same pytree structure as the carry input.`,
    );
  }
  const paths = leafPaths(inTree);
  const diffs: string[] = [];
  inAvals.forEach((a, i) => {
    const b = outAvals[i];
    if (!typematch(a, b)) {
      diffs.push(
        `${component(paths[i])} has type ${strShort(a)} but the corresponding output carry component has type ${strShort(b)}${mismatchExtra(a, b)}`,
      );
    }
  });
  if (!diffs.length) return;
  throw new TypeError(
    `${name} function carry input and carry output must have equal types, but they differ:\n\n${listDiffs(diffs, '\n')}\nRevise the function so that all output types match the corresponding input types.`,
  );
}
