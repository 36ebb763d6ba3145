/**
 * @file Pytrees as flat maps of paths and back: `{params: {Dense_0: {kernel}}}` <-> `params/Dense_0/kernel`,
 * the layout `numpy.savez(path, **flax.traverse_util.flatten_dict(tree, sep='/'))` writes, so files
 * move between JAX programs and tjax. Lists flatten by index (`layers/0/w`); unflattening makes
 * objects (an NPZ file cannot say list from dict). Keys are the user's: objects are built with
 * defineProperty, so `__proto__` or `constructor` stay ordinary keys.
 */

export function isPlain(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

/** The leaves of a tree of plain objects and lists, by path (keys joined by `sep`). */
export function flattenPaths(tree: unknown, sep = '/'): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (x: unknown, prefix: string): void => {
    if (isPlain(x)) for (const k of Object.keys(x)) walk(x[k], prefix ? `${prefix}${sep}${k}` : k);
    else if (Array.isArray(x))
      for (let i = 0; i < x.length; i++) walk(x[i], prefix ? `${prefix}${sep}${i}` : String(i));
    else out.set(prefix, x);
  };
  walk(tree, '');
  return out;
}

export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Nested objects from paths: `{'a/b': x, 'a/c': y}` -> `{a: {b: x, c: y}}`. */
export function unflattenPaths(flat: Iterable<[string, unknown]>, sep = '/'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of flat) {
    const keys = path.split(sep);
    let node = out;
    for (const k of keys.slice(0, -1)) {
      const next = Object.hasOwn(node, k) ? node[k] : undefined;
      if (next === undefined) {
        const child: Record<string, unknown> = {};
        setOwn(node, k, child);
        node = child;
      } else if (isPlain(next)) node = next;
      else
        throw new Error(`the paths '${path}' and '${keys.slice(0, keys.indexOf(k) + 1).join(sep)}' collide`);
    }
    setOwn(node, keys[keys.length - 1]!, value);
  }
  return out;
}
