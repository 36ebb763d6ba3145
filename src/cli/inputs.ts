/**
 * @file Shared by run, grad and jit-inspect: load the program and its --arg inputs, set --x64
 * and --device before anything is created.
 */
import * as engine from '../engine/index.js';
import { clip } from '../format/quote.js';
import { UsageError } from './errors.js';
import { checkInputs, loadProgram, type Program } from './program.js';
import { loadSourceTyped, parseArgFlag } from './sources.js';

export interface InputFlags {
  arg?: string[];
  /** `--set name=VALUE`: plain values (strings, numbers, booleans, JSON), passed unchanged. */
  set?: string[];
  /** `--seed N`: a `key` input, jax.random.key(N). */
  seed?: string;
  x64?: boolean;
  device?: string;
  delimiter?: string;
  'empty-as-nan'?: boolean;
}

export interface Loaded {
  program: Program;
  names: string[];
  values: unknown[];
  /** Per input: whether its source declares dtypes (NPY/NPZ), see sources.ts loadSourceTyped. */
  typed: boolean[];
  /** `--set` values by name: given to the program unchanged, never traced (static under jit). */
  statics: Record<string, unknown>;
}

/**
 * A `--set` value: JSON when it parses as JSON (`100`, `true`, `{"lr": 0.1}`, `"text"`), else the
 * text itself (`out=runs/a`, `resume=ckpt.npz`).
 */
export function parseSetValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function applyEngineFlags(flags: { x64?: boolean; device?: string }): Promise<void> {
  if (flags.x64) engine.config.enableX64 = true;
  if (flags.device !== undefined) {
    if (flags.device.trim() === '')
      throw new UsageError(
        "--device expects a device name such as cpu, webgpu or gpujs (see 'tjax devices')",
      );
    // WebGPU's adapter discovery is asynchronous (Dawn is loaded only then); gpu.js starts when
    // its device is looked up by name; the CPU needs nothing.
    if (flags.device.split(':')[0] === 'webgpu') await engine.initBackends();
    try {
      engine.resolveDevice(flags.device);
    } catch (e) {
      throw new UsageError(
        `unknown device '${flags.device}': ${(e as Error).message}. Run 'tjax devices' to see what is available`,
      );
    }
    engine.config.defaultDevice = flags.device;
  }
}

/** --json and --format both say how to write the result: given together they are a usage error. */
export function checkOutputFlags(flags: { json?: boolean; format?: string }): void {
  if (flags.json && flags.format !== undefined)
    throw new UsageError(
      `--json and --format ${flags.format} cannot be used together (--json is --format json)`,
    );
}

export async function loadInputs(spec: string, flags: InputFlags, allowAbstract = false): Promise<Loaded> {
  await applyEngineFlags(flags);
  const program = await loadProgram(spec);
  const args = (flags.arg ?? []).map((a) => parseArgFlag(a));
  const sets = (flags.set ?? []).map((a) => parseArgFlag(a, '--set', 'VALUE'));
  if (flags.seed !== undefined) {
    if (!/^[+-]?\d+$/.test(flags.seed.trim()))
      throw new UsageError(`--seed expects an integer, got '${clip(flags.seed)}'`);
    args.push({ name: 'key', spec: '' });
  }
  const names = args.map((a) => a.name);
  const all = [...names, ...sets.map((s) => s.name)];
  const dup = all.find((n, i) => all.indexOf(n) !== i);
  if (dup)
    throw new UsageError(
      dup === 'key' && flags.seed !== undefined
        ? '--seed gives the program its `key` input: it cannot also come from --arg or --set'
        : `${dup} is given twice (by --arg or --set)`,
    );
  if (args.filter((a) => a.spec === '-').length > 1)
    throw new UsageError('only one --arg can read stdin (-)');
  checkInputs(program, all);
  const statics: Record<string, unknown> = Object.create(null);
  for (const s of sets) statics[s.name] = parseSetValue(s.spec);
  const values: unknown[] = [];
  const typed: boolean[] = [];
  for (const a of args) {
    if (a.name === 'key' && flags.seed !== undefined) {
      const seed = BigInt(flags.seed.trim());
      values.push(engine.random.key(seed >= -(2n ** 53n) && seed <= 2n ** 53n ? Number(seed) : seed));
      typed.push(true);
      continue;
    }
    const src = await loadSourceTyped(a.spec, {
      allowAbstract,
      delimiter: flags.delimiter,
      emptyAsNaN: flags['empty-as-nan'],
    });
    values.push(src.value);
    typed.push(src.typed);
  }
  return { program, names, values, typed, statics };
}

/**
 * The program as a function of positional inputs (for jit and the transformations); the `--set`
 * values go in beside them, unchanged.
 */
export function positional(l: Loaded): (...xs: unknown[]) => unknown {
  const f = (...xs: unknown[]) => {
    const inputs: Record<string, unknown> = Object.create(null);
    Object.assign(inputs, l.statics);
    l.names.forEach((n, i) => {
      inputs[n] = xs[i];
    });
    return l.program.fn(inputs);
  };
  // jit names its module and cache entries after the function (`jit_f`); the bundler renames it.
  Object.defineProperty(f, 'name', { value: 'f' });
  return f;
}

/** Whether a value is a promise (an async program's result). */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * jit for a CLI program whose result may hold non-array leaves (strings such as `x.dtype.name`,
 * None): those are taken out of the traced function's outputs and put back after the call.
 */
export function jitProgram(f: (...xs: unknown[]) => unknown): {
  call: (...xs: unknown[]) => unknown;
  lower: (...xs: unknown[]) => engine.Lowered;
} {
  // What each trace took out, by the key jit caches that trace under (input structure and avals):
  // a later call that hits an earlier trace must put back that trace's leaves, not the last one's.
  const outputs = new Map<string, { treedef: engine.tree.TreeDef; statics: Map<number, unknown> }>();
  let tracing = '';
  const inner = engine.jit((...xs: unknown[]) => {
    const out = f(...xs);
    if (isThenable(out)) {
      // Its rejection (a traced value read with await) would otherwise crash Node unhandled.
      out.then(undefined, () => undefined);
      throw new UsageError(
        'the program is async, so it cannot be jitted as a whole: drop --jit (it then runs eagerly, and may call jit itself)',
      );
    }
    const [leaves, treedef] = engine.tree.flatten(out);
    const statics = new Map<number, unknown>();
    const dynamic: unknown[] = [];
    leaves.forEach((l, i) => {
      if (typeof l === 'string' || typeof l === 'function') statics.set(i, l);
      else dynamic.push(l);
    });
    outputs.set(tracing, { treedef, statics });
    return dynamic;
  });
  const keyOf = (xs: unknown[]) => {
    const [leaves, def] = engine.tree.flatten(xs);
    return `${def.key()}|${leaves.map((l) => (l instanceof engine.Array || l instanceof engine.Tracer ? l.aval.key() : typeof l)).join(',')}`;
  };
  const call = (...xs: unknown[]) => {
    tracing = keyOf(xs);
    const dynamic = inner(...xs) as unknown[];
    const { treedef, statics } = outputs.get(tracing)!;
    const leaves: unknown[] = [];
    let k = 0;
    for (let i = 0; i < dynamic.length + statics.size; i++)
      leaves.push(statics.has(i) ? statics.get(i) : dynamic[k++]);
    return engine.tree.unflatten(treedef, leaves);
  };
  return { call, lower: (...xs: unknown[]) => inner.lower(...xs) };
}
