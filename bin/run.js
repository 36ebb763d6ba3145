#!/usr/bin/env node
// The bundled CLI (scripts/bundle.mjs): oclif's execute, loading commands from dist/commands.
import { execute } from '../dist/cli/main.js';

await execute({ dir: import.meta.url });
