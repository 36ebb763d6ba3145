/**
 * @file Property-based test of the --out writer (writeFileAtomic): whatever the contents and
 * whatever was there before, a finished write leaves exactly the new contents, a failed one leaves
 * exactly the old (or nothing), and neither leaves a temporary file behind.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/format/atomic.js';
import { fc } from './config.js';

describe('writeFileAtomic', () => {
  it('leaves the new contents or the old, and no temporary file', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.uint8Array({ maxLength: 64 })),
        fc.uint8Array({ maxLength: 4096 }),
        fc.boolean(),
        async (old, next, fail) => {
          const dir = mkdtempSync(join(tmpdir(), 'tjax-fuzz-out-'));
          try {
            const target = join(dir, 'out.bin');
            if (old) writeFileSync(target, old);
            // A value writeFile cannot take stands for a failure in the middle of a write.
            const bytes = fail ? (Symbol('bad') as unknown as Uint8Array) : next;
            let threw = false;
            try {
              await writeFileAtomic(target, bytes);
            } catch {
              threw = true;
            }
            expect(threw).toBe(fail);
            const files = readdirSync(dir);
            if (fail) {
              expect(files).toEqual(old ? ['out.bin'] : []);
              if (old) expect(Uint8Array.from(readFileSync(target))).toEqual(old);
            } else {
              expect(files).toEqual(['out.bin']);
              expect(Uint8Array.from(readFileSync(target))).toEqual(next);
            }
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
