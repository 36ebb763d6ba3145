#!/usr/bin/env node
// The CLI: the CommonJS bundle dist/tjax.cjs (scripts/bundle.mjs), compiled through the code cache
// (src/cli/compile-cache.ts), which goes in first; its dynamic imports go through this module.
// With --debug, stack traces map to the TypeScript sources instead (Node reads the bundle's source
// map only when it compiles the bundle itself).
import { createRequire } from 'node:module';
import { installCompileCache } from '../dist/cli/compile-cache.js';

if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
else installCompileCache();
globalThis.__tjaxImport = (specifier) => import(specifier);
const { __cli } = createRequire(import.meta.url)('../dist/tjax.cjs');
await __cli.execute({ dir: import.meta.url });
