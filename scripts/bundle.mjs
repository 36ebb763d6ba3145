/**
 * Bundle the CLI and the library entry with esbuild, after `tsc` has emitted the declarations.
 *
 * Start-up time is most of what a short `tjax run` costs, and Node spends it resolving, reading
 * and linking ~150 ES modules one by one. Bundled, the engine is a few files: the entry points
 * below share their code through chunks (dist/chunks/), so the library export (`import 'tjax'`,
 * also used by module programs) and the commands load the same engine instance. Packages stay
 * external (node_modules); bundling oclif too measured slower.
 */
import { readdirSync } from 'node:fs';
import { build } from 'esbuild';

const commands = readdirSync('src/commands')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => `src/commands/${f}`);

await build({
  // The CPU backend's worker threads start from their own entry (src/engine/backends/cpu/threads.ts).
  entryPoints: [
    'src/engine/index.ts',
    'src/cli/main.ts',
    'src/cli/compile-cache.ts',
    'src/engine/backends/cpu/worker.ts', ...commands],
  outbase: 'src',
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  packages: 'external',
  logLevel: 'warning',
});
