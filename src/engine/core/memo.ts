/**
 * @file Memoization keyed by an object's identity and a string. JAX caches the transformations of a
 * jaxpr (dce_jaxpr, jvp_jaxpr, partial_eval_jaxpr_nounits, the pjit transpose and batcher, all
 * weakref_lru_cache'd), so one inner jaxpr called twice stays one jaxpr after grad or vmap and
 * the printer shows it once (`let _where = ...`); the jaxpr transformations here cache the same way.
 */

/** `f()`, computed once per (obj, key) and kept in `cache` while obj lives. */
export function memoOn<K extends object, R>(
  cache: WeakMap<K, Map<string, R>>,
  obj: K,
  key: string,
  f: () => R,
): R {
  let m = cache.get(obj);
  if (!m) {
    m = new Map();
    cache.set(obj, m);
  }
  let r = m.get(key);
  if (r === undefined) {
    r = f();
    m.set(key, r);
  }
  return r;
}
