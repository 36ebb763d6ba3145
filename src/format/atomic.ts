/**
 * @file Writing a file so that readers see either the old contents or the complete new contents, never
 * a partial file: the data goes to a uniquely named temporary file in the same directory (so the final
 * rename stays on one filesystem), is flushed to disk, and is renamed over the target. On any failure
 * the temporary file is removed and an existing target is left as it was.
 */

import { randomBytes } from 'node:crypto';
import { chmod, type FileHandle, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

async function resolveTarget(path: string): Promise<string> {
  // Write through a symlink to the file it names instead of replacing the link itself.
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const target = await resolveTarget(path);
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fh: FileHandle | undefined;
  let created = false;
  try {
    fh = await open(tmp, 'wx', 0o666);
    created = true;
    await fh.writeFile(bytes);
    await fh.sync();
    await fh.close();
    fh = undefined;
    // Keep the permissions of a file being replaced; a new file gets the umask default from open().
    const old = await stat(target).catch(() => undefined);
    if (old?.isFile()) await chmod(tmp, old.mode & 0o7777);
    await rename(tmp, target);
    created = false;
  } catch (err) {
    if (fh) await fh.close().catch(() => undefined);
    if (created) await unlink(tmp).catch(() => undefined);
    throw err;
  }
  // Make the rename itself durable. Some platforms cannot open or sync a directory; that is not fatal.
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // best effort
  }
}
