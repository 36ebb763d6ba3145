/**
 * @file Writing a result file so that readers see either the old contents or the complete new
 * contents, never a partial file: the data goes to a uniquely named temporary file in the same
 * directory (so the final rename stays on one filesystem), is flushed to disk, and is renamed over
 * the target. On any failure, and on SIGINT/SIGTERM/SIGHUP during the write, the temporary file is
 * removed and an existing target is left as it was.
 *
 * Only regular files (or new paths) are replaced that way. A target that exists and is something
 * else, a FIFO, a character device such as /dev/null or a terminal, a socket, or a symlink to one
 * (/dev/stdout), is written in place, as a shell redirection writes it: replacing it with a regular
 * file would break the pipe a reader is waiting on, or, run as root, replace /dev/null itself.
 */

import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
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

/** Temporary files being written now, removed if a signal ends the process first. */
const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let handlersInstalled = false;

function onSignal(sig: NodeJS.Signals): void {
  for (const p of live) {
    try {
      unlinkSync(p);
    } catch {
      // already gone
    }
  }
  live.clear();
  // Die of the same signal, so the parent sees what happened (exit status 128 + n).
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.kill(process.pid, sig);
}

function track(tmp: string): void {
  if (!handlersInstalled) {
    handlersInstalled = true;
    for (const s of SIGNALS) process.on(s, onSignal);
  }
  live.add(tmp);
}

function untrack(tmp: string): void {
  live.delete(tmp);
  if (live.size === 0 && handlersInstalled) {
    handlersInstalled = false;
    for (const s of SIGNALS) process.removeListener(s, onSignal);
  }
}

/** Write to an existing non-regular target (FIFO, device, socket) as `>` does: in place. */
async function writeInPlace(target: string, bytes: Uint8Array | string): Promise<void> {
  const fh = await open(target, 'w');
  try {
    await fh.writeFile(bytes);
  } finally {
    await fh.close();
  }
}

/** `/dev/stdout`, `/dev/fd/3`, `/proc/self/fd/1`: the process's own descriptor, which may be a socket. */
function ownDescriptor(path: string): number | null {
  if (path === '/dev/stdout') return 1;
  if (path === '/dev/stderr') return 2;
  const m = /^\/(?:dev|proc\/self)\/fd\/(\d+)$/.exec(path);
  return m ? Number(m[1]) : null;
}

export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const fd = ownDescriptor(path);
  if (fd !== null) {
    // Opening it anew fails for a socket (ENXIO): write to the descriptor the process already has.
    const stream = fd === 1 ? process.stdout : fd === 2 ? process.stderr : null;
    if (stream) {
      await new Promise<void>((res, rej) => stream.write(bytes, (e) => (e ? rej(e) : res())));
      return;
    }
    const { writeFile } = await import('node:fs');
    await new Promise<void>((res, rej) => writeFile(fd, bytes, (e) => (e ? rej(e) : res())));
    return;
  }
  const target = await resolveTarget(path);
  const existing = await stat(target).catch(() => undefined);
  if (existing && !existing.isFile()) {
    if (existing.isDirectory()) throw new Error(`${path}: is a directory`);
    return writeInPlace(target, bytes);
  }
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fh: FileHandle | undefined;
  let created = false;
  // Watch for signals before the file exists: it can be seen (and the process signalled) as soon
  // as open() has made it.
  track(tmp);
  try {
    fh = await open(tmp, 'wx', 0o666);
    created = true;
    await fh.writeFile(bytes);
    await fh.sync();
    await fh.close();
    fh = undefined;
    // Keep the permissions of a file being replaced; a new file gets the umask default from open().
    if (existing) await chmod(tmp, existing.mode & 0o7777);
    await rename(tmp, target);
    created = false;
  } catch (err) {
    if (fh) await fh.close().catch(() => undefined);
    if (created) await unlink(tmp).catch(() => undefined);
    throw err;
  } finally {
    untrack(tmp);
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
