/**
 * @file Every primitive tjax has (core/primitive.ts registry, everything the package exports
 * loaded) has a StableHLO export rule, or is listed in EXPORT_EXCLUSIONS with the reason.
 */
import { describe, expect, it } from 'vitest';
import { EXPORT_EXCLUSIONS, exportRule } from '../../../src/engine/export/index.js';
import { primitives } from '../../../src/engine/index.js';

describe('StableHLO export registry', () => {
  it('has a rule or a justified exclusion for every primitive', () => {
    const missing = primitives()
      .map((p) => p.name)
      .filter((n) => !exportRule(n) && !EXPORT_EXCLUSIONS[n]);
    expect(missing).toEqual([]);
  });
  it('excludes only primitives that exist and have no rule', () => {
    const names = new Set(primitives().map((p) => p.name));
    for (const [n, why] of Object.entries(EXPORT_EXCLUSIONS)) {
      expect(names.has(n), n).toBe(true);
      expect(exportRule(n), n).toBeUndefined();
      expect(why.length).toBeGreaterThan(20);
    }
  });
});
