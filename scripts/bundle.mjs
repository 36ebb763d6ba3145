/**
 * The build's esbuild step, after `tsc` has emitted the type declarations. See
 * docs/ARCHITECTURE.md ("Start-up").
 *
 * A short `tjax run` is mostly start-up. Everything the CLI runs is one CommonJS bundle,
 * dist/tjax.cjs (engine, expression language, formats, commands), because Node 20 can cache V8's
 * compiled code only for CommonJS (src/cli/compile-cache.ts); ES modules are compiled afresh on
 * every run. The files Node and oclif look for are thin ES modules over that bundle:
 *   - dist/engine/index.js, the package's export (`import 'tjax'`), re-exports its names;
 *   - dist/commands/<name>.js (oclif's command discovery and manifest) export one command each;
 * so the CLI and a module program's `import 'tjax'` share one engine instance. Packages stay in
 * node_modules. The CPU backend's worker and executor threads and the compile cache are ES-module entries of their own,
 * and so are the terminal views, dist/tui/index.js: Ink and React are ES modules (Ink's reconciler
 * has a top-level await) that CommonJS cannot require, and the CLI imports them only when it draws
 * a view (src/cli/tui.ts).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const shared = { bundle: true, platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning' };

// Code compiled from the code cache cannot call import(): the bundle's dynamic imports go
// through a loader that its ES-module entry hands over (globalThis.__tjaxImport).
const dynamicImportFromEntry = {
  name: 'dynamic-import-from-entry',
  setup(b) {
    b.onResolve({ filter: /dynamic-import\.js$/ }, (args) => ({ path: args.path, namespace: 'tjax-dyn' }));
    b.onLoad({ filter: /.*/, namespace: 'tjax-dyn' }, () => ({
      contents: 'export const dynamicImport = (specifier) => globalThis.__tjaxImport(specifier);',
      loader: 'js',
    }));
  },
};

await build({
  ...shared,
  entryPoints: ['src/cli/bundle.ts'],
  outfile: 'dist/tjax.cjs',
  format: 'cjs',
  // jit names jaxprs and exported functions after functions' names (`jit[name=_normal]`): keep
  // them through the bundler's renaming.
  keepNames: true,
  sourcemap: true,
  define: { 'import.meta.url': '__tjaxModuleUrl' },
  banner: { js: "const __tjaxModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [dynamicImportFromEntry],
});
await build({
  ...shared,
  entryPoints: [
    'src/engine/backends/cpu/worker.ts',
    'src/engine/backends/cpu/executor-worker.ts',
    'src/cli/compile-cache.ts',
    'src/cli/hooks/command-not-found.ts',
    'src/tui/index.tsx',
  ],
  outbase: 'src',
  outdir: 'dist',
  format: 'esm',
  sourcemap: true,
});

const req = createRequire(import.meta.url);
const bundle = req('../dist/tjax.cjs');
const LOADER = `import { createRequire } from 'node:module';

globalThis.__tjaxImport ??= (specifier) => import(specifier);
const bundle = createRequire(import.meta.url)('../tjax.cjs');
`;
const names = Object.keys(bundle).filter((k) => k !== '__cli' && k !== 'default');
writeFileSync(
  'dist/engine/index.js',
  `// The package's ES-module entry: the engine from the CommonJS bundle (scripts/bundle.mjs).\n${LOADER}export const {\n${names.map((n) => `  ${n},`).join('\n')}\n} = bundle;\n`,
);
mkdirSync('dist/commands', { recursive: true });
const commands = readdirSync('src/commands')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));
for (const c of commands) {
  if (!bundle.__cli.commands[c]) throw new Error(`src/cli/bundle.ts does not export the command ${c}`);
  writeFileSync(
    `dist/commands/${c}.js`,
    `// oclif's command file for \`tjax ${c}\`: the class from the CommonJS bundle (scripts/bundle.mjs).\n${LOADER}export default bundle.__cli.commands[${JSON.stringify(c)}];\n`,
  );
}
