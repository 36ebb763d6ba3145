/**
 * @file A V8 code cache for the CommonJS modules the CLI loads (oclif and its dependencies, ~300
 * files), kept in the user's cache directory. Node 20 has no built-in compile cache (22 does), and
 * compiling those files is part of a short command's start-up (the cache saves ~5 ms). The hook replaces
 * `Module.prototype._compile` as Node's own does it (wrap, compile, call with the module's
 * require), but compiles with V8's cached data when a cache entry for the same file contents
 * exists, and saves new entries once, at exit. A rejected or stale entry is just recompiled: the
 * key is a hash of the path and the exact contents. TJAX_NO_COMPILE_CACHE=1 turns it off.
 *
 * V8 runs cached code without checking it against the source beyond its length, so whoever can write
 * the cache can run code as the next user of tjax. The cache therefore lives in a directory of the
 * user's own ($XDG_CACHE_HOME/tjax, else ~/.cache/tjax), created with mode 0700; it is used only
 * while that directory and the cache file are owned by the user running tjax, are not symlinks, and
 * the directory is closed to group and others. Anything else turns the cache off for the run.
 */
import { lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

interface ModuleInternals {
  _compile(content: string, filename: string, ...rest: unknown[]): unknown;
  require(id: string): unknown;
  exports: unknown;
}
interface ModuleStatics {
  wrap(content: string): string;
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  _resolveLookupPaths(request: string, parent: unknown): string[] | null;
  _extensions: unknown;
  _cache: unknown;
}

/** The cache directory: $XDG_CACHE_HOME/tjax, else ~/.cache/tjax (null when neither is known). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg?.startsWith('/')) return join(xdg, 'tjax');
  let home = env.HOME;
  if (!home) {
    try {
      home = homedir();
    } catch {
      return null;
    }
  }
  return home ? join(home, '.cache', 'tjax') : null;
}

/**
 * Whether `path` may be trusted as this user's own: it exists, is not a symlink, is owned by this
 * user and (for the directory) closed to group and others. On platforms without uids, yes.
 */
export function ownedPrivately(path: string, kind: 'dir' | 'file'): boolean {
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return false;
    if (kind === 'dir' ? !st.isDirectory() : !st.isFile()) return false;
    if (uid !== null && st.uid !== uid) return false;
    return kind === 'file' || (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** The private directory, created if needed; null when it cannot be had or trusted. */
function privateDir(): string | null {
  const dir = cacheDir();
  if (!dir) return null;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    return null;
  }
  return ownedPrivately(dir, 'dir') ? dir : null;
}

const DIR = privateDir();
const FILE = DIR && join(DIR, `compile-cache-${process.version}-${process.arch}.bin`);

/** The store: one file of [keyLength, key, dataLength, data]* records. */
function load(): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  if (!FILE || !ownedPrivately(FILE, 'file')) return m;
  let buf: Buffer;
  try {
    buf = readFileSync(FILE);
  } catch {
    return m;
  }
  let off = 0;
  while (off + 8 <= buf.length) {
    const kl = buf.readUInt32LE(off);
    const key = buf.toString('utf8', off + 4, off + 4 + kl);
    off += 4 + kl;
    const dl = buf.readUInt32LE(off);
    off += 4;
    if (off + dl > buf.length) break;
    m.set(key, buf.subarray(off, off + dl));
    off += dl;
  }
  return m;
}

function save(entries: Map<string, Buffer>): void {
  const parts: Buffer[] = [];
  for (const [k, d] of entries) {
    const key = Buffer.from(k, 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt32LE(key.length);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(d.length);
    parts.push(head, key, len, d);
  }
  if (!FILE) return;
  try {
    const tmp = `${FILE}.${process.pid}`;
    writeFileSync(tmp, Buffer.concat(parts), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, FILE);
  } catch {
    // A cache that cannot be written only costs time.
  }
}

/**
 * Two independent 32-bit FNV-1a hashes of the text (64 bits): enough to tell a changed file from
 * its cached compile, and cheaper at start-up than loading node:crypto.
 */
function hash64(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return `${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}`;
}

/** An import() call (not an identifier ending in "import", such as esbuild's init_dynamic_import). */
const DYNAMIC_IMPORT = /(?:^|[^\w$.])import\s*\(/;

export function installCompileCache(): void {
  if (process.env.TJAX_NO_COMPILE_CACHE || !FILE) return;
  const store = load();
  const fresh = new Map<string, Buffer>();
  const used = new Set<string>();
  const M = Module as unknown as ModuleStatics;
  const proto = Module.prototype as unknown as ModuleInternals;
  const original = proto._compile;
  proto._compile = function compileCached(
    this: ModuleInternals,
    content: string,
    filename: string,
    ...rest: unknown[]
  ) {
    // A script compiled through vm cannot use import() without an experimental flag: modules
    // that may (oclif's module loader) compile as usual, as do ES modules loaded by require(),
    // and sources starting with a hashbang or a byte-order mark (which Node strips itself).
    if (
      DYNAMIC_IMPORT.test(content) ||
      (rest[0] !== undefined && rest[0] !== 'commonjs') ||
      content.startsWith('#!') ||
      content.startsWith('\uFEFF')
    )
      return original.call(this, content, filename, ...rest);
    const key = `${filename}\0${content.length}\0${hash64(content)}`;
    const cachedData = store.get(key);
    used.add(key);
    const script = new vm.Script(M.wrap(content), {
      filename,
      cachedData,
    });
    // The cache holds what V8 compiles eagerly (the top level), taken before running: code of
    // every function a run happened to call made the cache larger and its loading slower than the
    // compiling it saved.
    if (!cachedData || script.cachedDataRejected) fresh.set(key, script.createCachedData());
    const require = Object.assign((id: string) => this.require(id), {
      resolve: Object.assign(
        (request: string, options?: unknown) => M._resolveFilename(request, this, false, options),
        { paths: (request: string) => M._resolveLookupPaths(request, this) },
      ),
      main: mainModule(),
      extensions: M._extensions,
      cache: M._cache,
    });
    const fn = script.runInThisContext({ displayErrors: true }) as (...a: unknown[]) => unknown;
    return fn.call(this.exports, this.exports, require, this, filename, dirname(filename));
  };
  process.once('exit', () => {
    if (fresh.size === 0) return;
    for (const [k, d] of fresh) store.set(k, d);
    let bytes = 0;
    for (const d of store.values()) bytes += d.length;
    // Entries of files that changed stay until the store passes 64 MB; then only this run's stay.
    if (bytes > 64 << 20) for (const k of store.keys()) if (!used.has(k) && !fresh.has(k)) store.delete(k);
    save(store);
  });
}

function mainModule(): unknown {
  return (process as unknown as { mainModule?: unknown }).mainModule;
}
