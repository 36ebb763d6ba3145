/**
 * @file The CPU device's native GEMM tier: the machine's OpenBLAS through the `tjax-blas` Node-API
 * addon (native/blas/, built from source by `npm ci` as an optional dependency), and why it is not
 * in use when it is not. The design is the one NumPy and JAX's CPU backend share: hand the matrix
 * product to a tuned BLAS (XLA:CPU calls Eigen's, NumPy OpenBLAS) and keep everything else.
 *
 * - `TJAX_CPU_BLAS=off` (or `setCpuBlas(false)` in-process, for tests) selects the portable tier;
 *   the addon is then not even loaded.
 * - OpenBLAS runs single-threaded in every call (OPENBLAS_NUM_THREADS=1 while it loads, whatever
 *   the environment says, so it never starts a thread pool of its own); tjax's worker pool runs the calls in parallel, one tile of C
 *   each (gemm-native.ts says why).
 * - The kernels' core: `TJAX_CPU_BLAS_CORE` names one (any OPENBLAS_CORETYPE value) while the
 *   library loads (its constructor reads OPENBLAS_CORETYPE). Otherwise OpenBLAS chooses as it
 *   always does: an OPENBLAS_CORETYPE the environment sets is kept (machines set one where an
 *   OpenBLAS build computes wrong results or crashes with the kernels it would detect; this
 *   project's machines set Haswell, whose 256-bit kernels ran a 1024^2 sgemm in 18 ms of CPU time
 *   on their Zen 5 against 9.3 ms for SkylakeX or the detected Cooperlake), else the library
 *   detects the CPU. `tjax devices` names the core and why.
 * - Large float products do not go to OpenBLAS where the CPU has AVX-512: the addon's own SGEMM/DGEMM
 *   (native/blas/src/gemm512.c) runs them, at about twice the Haswell kernels' speed, with one
 *   fixed order of fused multiply-adds per element. `TJAX_CPU_GEMM=openblas` (or `setCpuGemm('openblas')`
 *   in-process) sends every product to OpenBLAS, for comparison.
 * The variables are restored after the load, so child processes see the environment they were given.
 */
import { createRequire } from 'node:module';
import type { BlasAddon, GemmMode } from './blas-addon.js';
import { cpuThreads } from './threads.js';

/** The addon's interface lives below the units that call it (blas-addon.ts). */
export type { BlasAddon, GemmMode } from './blas-addon.js';

/** Which GEMM the CPU device runs, for `tjax devices` and tests. */
export interface GemmTierStatus {
  tier: 'native' | 'portable';
  /** Why this tier: what loaded, or why the native tier did not. */
  reason: string;
  /** Native tier: the library (`OpenBLAS 0.3.21`), its kernels' core, and tjax's threads that run it. */
  library?: string;
  core?: string;
  threads?: number;
  /**
   * Native tier: who runs large products: `avx512` (tjax's own kernels, gemm512.c; OpenBLAS the
   * small ones and matrix-vector products) or `openblas` (all of them), and why.
   */
  gemm?: 'avx512' | 'openblas';
  gemmReason?: string;
}

interface Loaded {
  addon: BlasAddon | null;
  reason: string;
}

let loaded: Loaded | null = null;
/** null: follow TJAX_CPU_BLAS; else the in-process switch. */
let override: boolean | null = null;
let coreNote = '';
/** null: follow TJAX_CPU_GEMM; else the in-process choice of who runs the products. */
let gemmOverride: GemmMode | null = null;

/** Who should run the native tier's products (the own GEMM runs only where the CPU has AVX-512). */
function gemmWanted(): GemmMode {
  if (gemmOverride !== null) return gemmOverride;
  return process.env.TJAX_CPU_GEMM?.toLowerCase() === 'openblas' ? 'openblas' : 'auto';
}

/** Run `f` with environment variables set (null: left as they are), then restore them. */
function withEnv<T>(vars: Record<string, string | null>, f: () => T): T {
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(vars)) {
    if (v === null) continue;
    saved.set(k, process.env[k]);
    process.env[k] = v;
  }
  try {
    return f();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * The core tjax names while OpenBLAS loads (null: leave OPENBLAS_CORETYPE as it is), and why.
 * An inherited OPENBLAS_CORETYPE is kept: machines set it where an OpenBLAS build computes wrong
 * results or crashes with the kernels it would pick itself, so only an explicit
 * TJAX_CPU_BLAS_CORE names another core.
 */
function coreChoice(): { core: string | null; note: string } {
  const own = process.env.TJAX_CPU_BLAS_CORE;
  if (own) return { core: own, note: ` (TJAX_CPU_BLAS_CORE=${own})` };
  const env = process.env.OPENBLAS_CORETYPE;
  return { core: null, note: env !== undefined ? ` (OPENBLAS_CORETYPE=${env})` : '' };
}

function load(): Loaded {
  const { core, note } = coreChoice();
  try {
    const mod = withEnv({ OPENBLAS_CORETYPE: core, OPENBLAS_NUM_THREADS: '1' }, () =>
      createRequire(import.meta.url)('tjax-blas'),
    ) as { addon: BlasAddon | null; reason: string | null };
    if (!mod.addon) return { addon: null, reason: `tjax-blas is not built: ${mod.reason}` };
    // Also when the library was in the process already (loaded by something else).
    mod.addon.setThreads(1);
    mod.addon.setGemm(gemmWanted());
    coreNote = note;
    return { addon: mod.addon, reason: 'the tjax-blas addon loaded' };
  } catch (e) {
    const msg = String((e as Error).message).split('\n')[0];
    const missing = (e as { code?: string }).code === 'MODULE_NOT_FOUND' && msg.includes("'tjax-blas'");
    return {
      addon: null,
      reason: missing ? 'the tjax-blas addon is not installed (npm ci builds it from native/blas)' : msg,
    };
  }
}

/** Whether the native tier is wanted (TJAX_CPU_BLAS, or the in-process switch). */
export function cpuBlasWanted(): boolean {
  return wanted();
}

function wanted(): boolean {
  if (override !== null) return override;
  const v = process.env.TJAX_CPU_BLAS?.toLowerCase();
  return !(v === 'off' || v === '0' || v === 'false');
}

/** The addon when the native tier is on and loads, else null. */
export function nativeBlas(): BlasAddon | null {
  if (!wanted()) return null;
  loaded ??= load();
  return loaded.addon;
}

/** For tests: force the native tier on or off (null: back to TJAX_CPU_BLAS). */
export function setCpuBlas(on: boolean | null): void {
  override = on;
}

/**
 * For tests and benchmarks: who runs the native tier's products (null: back to TJAX_CPU_GEMM).
 * The addon's switch is process-wide, so worker threads follow it at once.
 */
export function setCpuGemm(mode: GemmMode | null): void {
  gemmOverride = mode;
  if (loaded?.addon) loaded.addon.setGemm(gemmWanted());
}

/** Which tier the CPU device's GEMM runs, and why. */
export function gemmTier(): GemmTierStatus {
  if (!wanted()) {
    return {
      tier: 'portable',
      reason: override === false ? 'the native tier is switched off in-process' : 'TJAX_CPU_BLAS=off',
    };
  }
  const addon = nativeBlas();
  if (!addon) return { tier: 'portable', reason: loaded!.reason };
  const info = addon.info();
  return {
    tier: 'native',
    reason: loaded!.reason,
    library: info.config.split(/\s+/).slice(0, 2).join(' '),
    core: `${info.corename}${coreNote}`,
    threads: cpuThreads(),
    gemm: info.gemm === 'openblas' ? 'openblas' : 'avx512',
    gemmReason:
      info.gemm !== 'openblas'
        ? 'the CPU has AVX-512'
        : !info.avx512
          ? 'the CPU has no AVX-512'
          : gemmOverride !== null
            ? 'switched in-process'
            : 'TJAX_CPU_GEMM=openblas',
  };
}
