/**
 * @file Reading the call signatures of table.ts (`name(key, a, shape, dtype:float, mode:low|high=low)`)
 * into distributions the command can check and call: the parameters (flag, kind, default), whether
 * the sampler takes a dtype and a shape, and a `draw` that lays the values out in the signature's
 * order, options objects included.
 */
import * as engine from '../../engine/index.js';

export type Kind = 'array' | 'number' | 'int' | 'bool' | 'mode' | 'shape';

export interface Param {
  flag: string;
  kind: Kind;
  /** Undefined: required. */
  default?: unknown;
  choices?: string[];
}

export interface Dist {
  name: string;
  summary: string;
  params: Param[];
  /** Whether the sampler takes a dtype, and of what kind. */
  dtype?: 'float' | 'int' | 'uint';
  /** JAX's default when --shape is absent: () or None (the parameters' broadcast shape); fixed: no shape. */
  shape: 'scalar' | 'none' | 'fixed';
  draw: (
    key: engine.random.KeyLike,
    params: Map<string, unknown>,
    shape: number[] | null,
    dtype: string | null,
  ) => unknown;
}

/** One argument slot of a call: what fills it, and (inside `{}`) the option key it goes under. */
interface Slot {
  of: 'key' | 'dtype' | 'shape' | 'param';
  /** The parameter's flag (of: 'param'). */
  flag?: string;
  option?: string;
}

function literal(text: string): unknown {
  if (text === '()') return [];
  if (text === 'None') return null;
  if (text === 'true' || text === 'false') return text === 'true';
  const n = Number(text);
  return Number.isNaN(n) ? text : n;
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

export function parseSignature(name: string, summary: string, signature: string): Dist {
  const fail = (why: string): never => {
    throw new Error(`sample table: ${name}: ${why} in '${signature}'`);
  };
  let body = signature.trim();
  const post = /^keyData\((.*)\)$/.exec(body);
  if (post) body = post[1]!;
  const m = /^(\w+)\((.*)\)$/.exec(body) ?? fail('not a call');
  const fnName = m[1]!;
  const params: Param[] = [];
  const slots: (Slot | Slot[])[] = [];
  let dtype: Dist['dtype'];
  let shape: Dist['shape'] = 'fixed';
  let group: Slot[] | null = null;
  for (let item of m[2]!.split(',').map((s) => s.trim())) {
    const opens = item.startsWith('{');
    if (opens) {
      group = [];
      item = item.slice(1).trim();
    }
    const closes = item.endsWith('}');
    if (closes) item = item.slice(0, -1).trim();
    const a = /^(\w+)(?::([\w|]+))?(?:=(.+))?$/.exec(item) ?? fail(`bad argument '${item}'`);
    const [, argName, kind, def] = a as unknown as [string, string, string | undefined, string | undefined];
    const option = group ? camel(argName) : undefined;
    let slot: Slot;
    if (argName === 'key') slot = { of: 'key', option };
    else if (argName === 'dtype') {
      dtype = kind as Dist['dtype'];
      slot = { of: 'dtype', option };
    } else if (argName === 'shape') {
      shape = def === '()' ? 'scalar' : 'none';
      slot = { of: 'shape', option };
    } else {
      const choices = kind?.includes('|') ? kind.split('|') : undefined;
      const k = (choices ? 'mode' : (kind ?? 'array')) as Kind;
      params.push({ flag: argName, kind: k, default: def === undefined ? undefined : literal(def), choices });
      slot = { of: 'param', flag: argName, option };
    }
    if (group) group.push(slot);
    else slots.push(slot);
    if (closes) {
      slots.push(group ?? fail('unmatched }'));
      group = null;
    }
  }
  const random = engine.random as unknown as Record<string, unknown>;
  const fn = random[fnName];
  if (typeof fn !== 'function') fail(`jax.random has no ${fnName}`);
  const call = fn as (...args: unknown[]) => unknown;
  return {
    name,
    summary,
    params,
    dtype,
    shape,
    draw: (key, values, shp, dt) => {
      const fill = (s: Slot): unknown =>
        s.of === 'key'
          ? key
          : s.of === 'dtype'
            ? dt
            : s.of === 'shape'
              ? (shp ?? (shape === 'scalar' ? [] : null))
              : values.get(s.flag!);
      const args = slots.map((s) => {
        if (!Array.isArray(s)) return fill(s);
        const opts: Record<string, unknown> = {};
        for (const o of s) opts[o.option!] = fill(o);
        return opts;
      });
      const out = call(...args);
      return post ? engine.random.keyData(out as engine.random.KeyLike) : out;
    },
  };
}
