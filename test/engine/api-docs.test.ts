/**
 * @file docs/API.md is the reference page generated from the code (scripts/make_api_docs.ts):
 * this test regenerates it and fails when the committed page differs, so it cannot go stale.
 * Fix a failure with `npm run docs:api` (npx tsx scripts/make_api_docs.ts) and commit the page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../../scripts/api-catalog.js';
import { apiDocs } from '../../scripts/make_api_docs.js';

describe('docs/API.md', () => {
  it('is what scripts/make_api_docs.ts generates from the code (run `npm run docs:api`)', () => {
    const committed = readFileSync(join(root, 'docs', 'API.md'), 'utf8');
    const fresh = apiDocs();
    expect(fresh.split('\n').length).toBeGreaterThan(1000);
    expect(committed === fresh, 'docs/API.md is stale: run `npm run docs:api` and commit it').toBe(true);
  }, 180_000);
});
