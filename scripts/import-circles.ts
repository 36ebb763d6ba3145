/**
 * @file Import circles among the TypeScript files of a source tree: the strongly connected
 * components (Tarjan's algorithm) of the graph of static imports and re-exports, type-only ones
 * included (a type-only circle still says that two concepts are tangled); dynamic `import()` is
 * left out, being how a lazy dependency is meant to be written. test/import-circles.test.ts holds
 * src/ to the list it returns; `npx tsx scripts/import-circles.ts [DIR]` prints it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The relative modules a file imports or re-exports statically, as file paths. */
function importsOf(file: string): string[] {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  for (const st of src.statements) {
    const spec =
      (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier
        ? (st.moduleSpecifier as ts.StringLiteral).text
        : null;
    if (!spec?.startsWith('.')) continue;
    const base = resolve(dirname(file), spec);
    const stem = base.replace(/\.js$/, '');
    const candidates = [`${stem}.ts`, `${stem}.tsx`, join(base, 'index.ts')];
    const hit = candidates.find((c) => {
      try {
        return statSync(c).isFile();
      } catch {
        return false;
      }
    });
    if (hit) out.push(hit);
  }
  return out;
}

/** Each file under `root` with the files it imports (absolute paths). */
export function importGraph(root: string): Map<string, string[]> {
  return new Map(tsFiles(root).map((f) => [f, importsOf(f)]));
}

/**
 * Each import circle under `root` as its files (relative to `root`, sorted), the circles sorted by
 * their first file.
 */
export function importCircles(root: string): string[][] {
  const edges = importGraph(root);
  const files = [...edges.keys()];
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      const selfLoop = (edges.get(v) ?? []).includes(v);
      if (scc.length > 1 || selfLoop) circles.push(scc.map((f) => relative(root, f)).sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return circles.sort((a, b) => a[0].localeCompare(b[0]));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'src'));
  const circles = importCircles(root);
  const graph = importGraph(root);
  for (const c of circles) {
    console.log(c.join(' <-> '));
    for (const f of c)
      for (const g of graph.get(join(root, f)) ?? [])
        if (c.includes(relative(root, g))) console.log(`  ${f} -> ${relative(root, g)}`);
  }
  console.log(`${circles.length} import circle(s) under ${root}`);
}
