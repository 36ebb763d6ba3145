/**
 * @file Loading a module program (`tjax run prog.ts`) from any directory: `.ts`, `.mts`, `.mjs`,
 * `.js` (and `.cjs`) files, with no node_modules or package.json beside them.
 *
 * The program is bundled by esbuild into one ES module: its own relative imports are compiled in,
 * TypeScript is stripped, `import ... from 'tjax'` becomes the CLI's own engine instance (a module
 * that reads it from `globalThis`, so a program's arrays are the CLI's arrays), Node's built-ins and
 * packages installed where the program lives stay imports by absolute path, and `import.meta.url`
 * is the program file's URL. The bundle, with an inline source map, is written to a private
 * temporary directory, imported, and removed. Source maps are on, so a stack through the program
 * names the program's own lines; errors name the program's `file:line:column`.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dynamicImport } from '../engine/dynamic-import.js';
import * as engine from '../engine/index.js';
import { UsageError } from './errors.js';
import { programSources } from './program-sources.js';

interface EsbuildMessage {
  text: string;
  location: { file: string; line: number; column: number } | null;
}

/** The engine, as the module the program imports as 'tjax'. */
function engineModuleSource(): string {
  const names = Object.keys(engine).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default');
  return `const e = globalThis.__tjaxEngine;\nexport const { ${names.join(', ')} } = e;\nexport default e;\n`;
}

export async function importProgram(path: string): Promise<Record<string, unknown>> {
  const file = resolve(path);
  try {
    if (!statSync(file).isFile()) throw new UsageError(`${path}: not a file`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${path}: no such file`);
  }
  const here = createRequire(file);
  const esbuild = await dynamicImport<typeof import('esbuild')>('esbuild');
  (globalThis as { __tjaxEngine?: unknown }).__tjaxEngine = engine;
  const dir = mkdtempSync(join(tmpdir(), 'tjax-program-'));
  const bundled = join(dir, 'program.mjs');
  try {
    const code = await bundle(esbuild, file, bundled, here);
    programSources.add(file);
    process.setSourceMapsEnabled(true);
    writeFileSync(bundled, code, { mode: 0o600 });
    return await dynamicImport<Record<string, unknown>>(pathToFileURL(bundled).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The program and its own imports as one ES module's text (with an inline source map). */
async function bundle(
  esbuild: typeof import('esbuild'),
  file: string,
  outfile: string,
  here: NodeJS.Require,
): Promise<string> {
  try {
    const out = await esbuild.build({
      entryPoints: [file],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      // The output's real place, so that the source map's relative paths lead back to the sources.
      outfile,
      sourcemap: 'inline',
      // Bundling renames a nested function that shares a top-level name (`loss` -> `loss2`); jit,
      // grad and custom_jvp name what they print after the function, so keep the program's names.
      keepNames: true,
      logLevel: 'silent',
      define: { 'import.meta.url': JSON.stringify(pathToFileURL(file).href) },
      plugins: [
        {
          name: 'tjax-program',
          setup(b) {
            b.onResolve({ filter: /^tjax$/ }, () => ({ path: 'tjax', namespace: 'tjax-engine' }));
            b.onLoad({ filter: /.*/, namespace: 'tjax-engine' }, () => ({
              contents: engineModuleSource(),
              loader: 'js',
            }));
            // Bare imports: Node's built-ins stay as they are; a package installed where the
            // program lives is imported from there by absolute path (the bundle runs elsewhere).
            b.onResolve({ filter: /^[^./]/ }, (args) => {
              if (args.path === 'tjax' || args.namespace === 'tjax-engine') return undefined;
              if (isBuiltin(args.path)) return { path: args.path, external: true };
              try {
                return { path: pathToFileURL(here.resolve(args.path)).href, external: true };
              } catch {
                return { errors: [{ text: `cannot find package '${args.path}' from ${dirname(file)}` }] };
              }
            });
          },
        },
      ],
    });
    return out.outputFiles[0]!.text;
  } catch (e) {
    const first = (e as { errors?: EsbuildMessage[] }).errors?.[0];
    if (!first) throw e;
    const loc = first.location;
    const at = loc ? `${resolve(loc.file)}:${loc.line}:${loc.column + 1}: ` : '';
    throw new UsageError(`${at}${first.text}`);
  }
}
