/**
 * Writes src/engine/signature/signatures.gen.json: for every namespace function of the library that
 * has a JAX counterpart, JAX's Python signature (from fixtures/signatures.json, made by
 * fixtures/make_signatures.py) and the shape of its JavaScript form, read from the TypeScript
 * declarations: how many leading parameters it takes positionally, and which options its trailing
 * options object declares. src/engine/signature/ binds every call against both (see
 * docs/ARCHITECTURE.md, "Argument binding").
 *
 * Run after adding or changing a namespace function:  node scripts/make-signatures.mjs
 * (test/engine/signature.test.ts fails while the generated file is stale.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT = join(ROOT, 'src/engine/signature/signatures.gen.json');
export const TYPES_OUT = join(ROOT, 'src/engine/namespace-types.gen.ts');

/** The bound namespaces (src/engine/namespaces.ts) and the module each one binds. */
const NAMESPACES = {
  numpy: './numpy/index.js',
  lax: './lax/index.js',
  nn: './nn/api.js',
  random: './random/index.js',
  scipy: './scipy/index.js',
  linen: './linen/index.js',
  tree: './tree/index.js',
};

/** tjax namespace path -> JAX module path. Top-level functions try `jax` then `jax.lax`. */
const MODULES = {
  numpy: 'jax.numpy',
  'numpy.linalg': 'jax.numpy.linalg',
  'numpy.fft': 'jax.numpy.fft',
  lax: 'jax.lax',
  'lax.linalg': 'jax.lax.linalg',
  nn: 'jax.nn',
  'nn.initializers': 'jax.nn.initializers',
  random: 'jax.random',
  'scipy.special': 'jax.scipy.special',
  'scipy.signal': 'jax.scipy.signal',
  linen: 'flax.linen',
  'linen.initializers': 'flax.linen.initializers',
  tree: 'jax.tree',
};

/**
 * Rest forms that take a trailing options object (`jnp.einsum('ij,jk', a, b, { precision })`):
 * TypeScript's `...args: unknown[]` cannot say so, so their option names are listed here.
 */
const REST_OPTIONS = {
  'numpy.einsum': ['precision', 'preferredElementType'],
  'numpy.meshgrid': ['indexing', 'sparse'],
  'numpy.gradient': ['axis', 'edgeOrder'],
  vjp: ['hasAux'],
  // lax.platform_dependent(*args, default=None, **per_platform): the branches ride in one trailing object.
  'lax.platformDependent': ['default'],
};

function snake(name) {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** JAX names a tjax export may stand for, most likely first. */
function candidates(name) {
  const base = name.endsWith('_') ? name.slice(0, -1) : name;
  return [...new Set([name, base, snake(base), snake(base).replace(/([a-z])(\d+d)$/, '$1_$2')])];
}

function pyDefault(d) {
  if (d === null) return 'None';
  if (d === true) return 'True';
  if (d === false) return 'False';
  if (typeof d === 'number') return Number.isInteger(d) ? String(d) : String(d);
  if (typeof d === 'string') return `'${d.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(d)) return `(${d.map(pyDefault).join(', ')}${d.length === 1 ? ',' : ''})`;
  return '...';
}

/** A JAX signature as Python prints it: `a: ArrayLike, /, b=None, *args, c, **kw` (array annotations only). */
export function pySignature(params) {
  const parts = [];
  let star = false;
  params.forEach((p, i) => {
    if (p.kind === 'ko' && !star) {
      parts.push('*');
      star = true;
    }
    if (p.kind === 'var') {
      parts.push(`*${p.name}`);
      star = true;
    } else if (p.kind === 'vkw') parts.push(`**${p.name}`);
    else if (p.type) parts.push('default' in p ? `${p.name}: ${p.type} = ${pyDefault(p.default)}` : `${p.name}: ${p.type}`);
    else parts.push('default' in p ? `${p.name}=${pyDefault(p.default)}` : p.name);
    if (p.kind === 'po' && params[i + 1]?.kind !== 'po') parts.push('/');
  });
  return parts.join(', ');
}

function createProgram() {
  return ts.createProgram([join(ROOT, 'src/engine/index.ts')], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    resolveJsonModule: true,
  });
}

/**
 * The namespaces' type exports, declared beside the bound values: a bound namespace is an object,
 * not a module, so `random.KeyLike` and `tree.TreeDef` as types need a namespace declaration of
 * the same name (TypeScript merges it with the value export).
 */
export function namespaceTypes(program) {
  const checker = program.getTypeChecker();
  const resolve = (s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const body = (moduleSymbol, ref, indent) => {
    const lines = [];
    for (const s of [...checker.getExportsOfModule(moduleSymbol)].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = resolve(s);
      if (r.flags & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule)) {
        const inner = body(r, `${ref}.${s.name}`, `${indent}  `);
        if (inner.length) lines.push(`${indent}export namespace ${s.name} {`, ...inner, `${indent}}`);
      } else if (r.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class)) {
        const decl = r.declarations?.[0];
        const params = decl?.typeParameters?.map((p) => p.name.text) ?? [];
        const tp = params.length ? `<${params.map((p) => `${p} = any`).join(', ')}>` : '';
        const args = params.length ? `<${params.join(', ')}>` : '';
        lines.push(`${indent}export type ${s.name}${tp} = ${ref}.${s.name}${args};`);
      }
    }
    return lines;
  };
  const out = [];
  for (const [ns, file] of Object.entries(NAMESPACES)) {
    const sf = program.getSourceFile(join(ROOT, 'src/engine', file.replace(/\.js$/, '.ts')));
    const lines = body(checker.getSymbolAtLocation(sf), `raw_${ns}`, '  ');
    out.push(`export declare namespace ${ns} {`, ...lines, '}');
  }
  const imports = Object.entries(NAMESPACES).map(([ns, file]) => `import type * as raw_${ns} from '${file}';`);
  return `/**
 * @file GENERATED by scripts/make-signatures.mjs: do not edit. The public namespaces: the bound
 * values of namespaces.ts, with each namespace module's types declared under the same name, so that
 * \`random.KeyLike\` and \`tree.TreeDef\` work as types.
 */
${imports.join('\n')}

export { ${Object.keys(NAMESPACES).sort().join(', ')} } from './namespaces.js';

${out.join('\n')}
`;
}

/** The JS form of each namespace function, from the TypeScript declarations. */
export function jsForms(program = createProgram()) {
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(join(ROOT, 'src/engine/index.ts'));
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(index));
  const forms = new Map();

  const formOf = (type) => {
    const sigs = type.getCallSignatures();
    if (!sigs.length || type.getConstructSignatures().length) return null;
    const sig = sigs.reduce((a, b) => (b.getParameters().length > a.getParameters().length ? b : a));
    const params = sig.getParameters();
    const decl = (p) => p.valueDeclaration;
    const restAt = params.findIndex((p) => decl(p)?.dotDotDotToken);
    const last = params[params.length - 1];
    const isOpts = (p) => p && /^(opts|options)$/.test(p.name);
    if (restAt >= 0) return { k: -1, impl: null, rest: true };
    if (!isOpts(last)) {
      // An `opts` parameter in the middle (flax's pools: strides or options) is a positional slot.
      return { k: params.length, impl: null, names: params.map((p) => p.name) };
    }
    const t = checker.getNonNullableType(checker.getTypeOfSymbol(last));
    const names = params.slice(0, -1).map((p) => p.name);
    if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return { k: params.length - 1, impl: '*', names };
    // `opts?: number | DiagonalOptions`: a positional value or the options, whose names count.
    const objects = (t.isUnion() ? t.types : [t]).filter(
      (m) => (m.flags & ts.TypeFlags.Object || m.isIntersection()) && !checker.isArrayType(m) && !checker.isTupleType(m) && !m.getCallSignatures().length,
    );
    if (objects.some((m) => m.getStringIndexType())) return { k: params.length - 1, impl: '*', names };
    const props = new Set(objects.flatMap((m) => checker.getPropertiesOfType(m).map((p) => p.name)));
    return { k: params.length - 1, impl: [...props].sort(), names };
  };

  const walk = (path, type, depth) => {
    for (const p of checker.getPropertiesOfType(type)) {
      const t = checker.getTypeOfSymbol(p);
      const name = path ? `${path}.${p.name}` : p.name;
      const form = formOf(t);
      if (form) forms.set(name, form);
      else if (depth < 3 && t.flags & ts.TypeFlags.Object && !t.getConstructSignatures().length) walk(name, t, depth + 1);
    }
  };
  // Namespaces from their modules (the bound values have the same types); top-level functions
  // (the transformations, devicePut) from the package's index.
  for (const [ns, file] of Object.entries(NAMESPACES)) {
    const sf = program.getSourceFile(join(ROOT, 'src/engine', file.replace(/\.js$/, '.ts')));
    walk(ns, checker.getTypeOfSymbol(checker.getSymbolAtLocation(sf)), 1);
  }
  for (const s of exports) {
    if (s.name in NAMESPACES) continue;
    const form = formOf(checker.getTypeOfSymbol(s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s));
    if (form) forms.set(s.name, form);
  }
  return forms;
}

/** The JAX path of a tjax namespace path, or null. */
export function jaxPathOf(path, functions) {
  const dot = path.lastIndexOf('.');
  const ns = dot < 0 ? '' : path.slice(0, dot);
  const name = path.slice(dot + 1);
  let modules;
  if (ns === '') modules = ['jax', 'jax.lax'];
  else if (MODULES[ns]) modules = [MODULES[ns]];
  else if (ns.startsWith('scipy.stats.')) modules = [`jax.${ns}`];
  else return null;
  for (const m of modules) for (const c of candidates(name)) if (functions[`${m}.${c}`]) return `${m}.${c}`;
  return null;
}

/**
 * The table as data (src/engine/signature/signatures.ts reads it and says what an entry holds):
 * the fixture's versions, then one line per namespace function, sorted by path.
 */
export function generate(program = createProgram()) {
  const fixture = JSON.parse(readFileSync(join(ROOT, 'fixtures/signatures.json'), 'utf8'));
  const forms = jsForms(program);
  const lines = [];
  for (const [path, form] of [...forms].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const jax = jaxPathOf(path, fixture.functions);
    if (!jax) continue;
    const f = fixture.functions[jax];
    if (form.rest && REST_OPTIONS[path]) form.impl = REST_OPTIONS[path];
    // scipy.stats' methods read their parameters from a trailing object too (`norm.pdf(x, { scale })`).
    if (form.rest && path.startsWith('scipy.stats.')) form.impl = f.params.slice(1).map((p) => p.name);
    const impl = form.impl === null || form.impl === '*' ? form.impl : form.impl.join(' ');
    const entry = [jax, f.name, pySignature(f.params), form.k, impl];
    // JS positional parameters beyond JAX's positional ones are named: a JAX keyword-only argument
    // of that name goes there (`linalg.tensordot(a, b, axes)`), others are tjax's own.
    const npos = f.params.filter((p) => p.kind === 'po' || p.kind === 'pk').length;
    if (form.k > npos && !f.params.some((p) => p.kind === 'var')) entry.push(form.names.slice(npos).join(' '));
    lines.push(`    ${JSON.stringify(path)}: ${JSON.stringify(entry)}`);
  }
  return `{
  "jax": ${JSON.stringify(fixture.jax)},
  "flax": ${JSON.stringify(fixture.flax)},
  "signatures": {
${lines.join(',\n')}
  }
}
`;
}

/** Both generated files' contents: [[path, text], ...]. */
export function generateAll() {
  const program = createProgram();
  return [
    [OUT, generate(program)],
    [TYPES_OUT, namespaceTypes(program)],
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [path, text] of generateAll()) {
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
  }
}
