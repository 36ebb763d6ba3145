#!/usr/bin/env node
// The bundled CLI (scripts/bundle.mjs): oclif's execute, loading commands from dist/commands.
// The code cache goes in first, so that the CommonJS modules oclif loads compile from it.
import { installCompileCache } from '../dist/cli/compile-cache.js';

installCompileCache();
const { execute } = await import('../dist/cli/main.js');
await execute({ dir: import.meta.url });
