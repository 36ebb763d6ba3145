/**
 * @file Shared by run, grad and jit-inspect: load the program and its --arg inputs, set --x64
 * and --device before anything is created.
 */
import * as engine from '../engine/index.js';
import { UsageError } from './errors.js';
import { checkInputs, loadProgram, type Program } from './program.js';
import { loadSourceTyped, parseArgFlag } from './sources.js';

export interface InputFlags {
  arg?: string[];
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
  const args = (flags.arg ?? []).map(parseArgFlag);
  const names = args.map((a) => a.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UsageError(`--arg ${dup} given twice`);
  if (args.filter((a) => a.spec === '-').length > 1)
    throw new UsageError('only one --arg can read stdin (-)');
  checkInputs(program, names);
  const values: unknown[] = [];
  const typed: boolean[] = [];
  for (const a of args) {
    const src = await loadSourceTyped(a.spec, {
      allowAbstract,
      delimiter: flags.delimiter,
      emptyAsNaN: flags['empty-as-nan'],
    });
    values.push(src.value);
    typed.push(src.typed);
  }
  return { program, names, values, typed };
}

/** The program as a function of positional inputs (for jit and the transformations). */
export function positional(l: Loaded): (...xs: unknown[]) => unknown {
  const f = (...xs: unknown[]) => l.program.fn(Object.fromEntries(l.names.map((n, i) => [n, xs[i]])));
  return f;
}

/**
 * jit for a CLI program whose result may hold non-array leaves (strings such as `x.dtype.name`,
 * None): those are taken out of the traced function's outputs and put back after the call.
 */
export function jitProgram(f: (...xs: unknown[]) => unknown): {
  call: (...xs: unknown[]) => unknown;
  lower: (...xs: unknown[]) => engine.Lowered;
} {
  let staticLeaves: Map<number, unknown> = new Map();
  let treedef: engine.tree.TreeDef | null = null;
  const inner = engine.jit((...xs: unknown[]) => {
    const [leaves, def] = engine.tree.flatten(f(...xs));
    treedef = def;
    staticLeaves = new Map();
    const dynamic: unknown[] = [];
    leaves.forEach((l, i) => {
      if (typeof l === 'string' || typeof l === 'function') staticLeaves.set(i, l);
      else dynamic.push(l);
    });
    return dynamic;
  });
  const call = (...xs: unknown[]) => {
    const dynamic = inner(...xs) as unknown[];
    const leaves: unknown[] = [];
    let k = 0;
    for (let i = 0; i < dynamic.length + staticLeaves.size; i++)
      leaves.push(staticLeaves.has(i) ? staticLeaves.get(i) : dynamic[k++]);
    return engine.tree.unflatten(treedef!, leaves);
  };
  return { call, lower: (...xs: unknown[]) => inner.lower(...xs) };
}
