/** @file Tests for src/format/atomic.ts in a temporary directory. */

import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/format/atomic.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tjax-atomic-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('creates a new file from bytes or text', async () => {
    await writeFileAtomic(join(dir, 'a.bin'), new Uint8Array([1, 2, 3]));
    await writeFileAtomic(join(dir, 'b.txt'), 'hello\n');
    expect([...(await readFile(join(dir, 'a.bin')))]).toEqual([1, 2, 3]);
    expect(await readFile(join(dir, 'b.txt'), 'utf8')).toBe('hello\n');
    expect((await readdir(dir)).sort()).toEqual(['a.bin', 'b.txt']);
  });

  it('replaces an existing file and keeps its permissions', async () => {
    const p = join(dir, 'x.txt');
    await writeFile(p, 'old');
    await chmod(p, 0o640);
    await writeFileAtomic(p, 'new contents');
    expect(await readFile(p, 'utf8')).toBe('new contents');
    expect((await stat(p)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir)).toEqual(['x.txt']);
  });

  it('writes through a symlink to its target', async () => {
    await writeFile(join(dir, 'real.txt'), 'old');
    await symlink(join(dir, 'real.txt'), join(dir, 'link.txt'));
    await writeFileAtomic(join(dir, 'link.txt'), 'new');
    expect(await readFile(join(dir, 'real.txt'), 'utf8')).toBe('new');
    expect((await readdir(dir)).sort()).toEqual(['link.txt', 'real.txt']);
  });

  it('leaves the target and no temporary file behind when writing fails', async () => {
    const p = join(dir, 'keep.txt');
    await writeFile(p, 'original');
    // Not a string or bytes: the write itself throws after the temporary file exists.
    await expect(writeFileAtomic(p, {} as unknown as Uint8Array)).rejects.toThrow();
    expect(await readFile(p, 'utf8')).toBe('original');
    expect(await readdir(dir)).toEqual(['keep.txt']);
  });

  it('leaves a directory in the way untouched', async () => {
    const p = join(dir, 'sub');
    await mkdir(p);
    await writeFile(join(p, 'inner'), 'x');
    await expect(writeFileAtomic(p, 'data')).rejects.toThrow();
    expect(await readdir(p)).toEqual(['inner']);
    expect(await readdir(dir)).toEqual(['sub']);
  });

  it('fails when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'f.txt'), 'x')).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });
});
