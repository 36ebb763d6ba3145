/**
 * @file Two-level memoization: a result cached under an object (a jaxpr, a primitive, a device)
 * and a key. JAX caches the transformations of a jaxpr the same way (jvp_jaxpr,
 * partial_eval_jaxpr_nounits, the pjit transpose and batcher, all weakref_lru_cache'd), so one
 * inner jaxpr called twice stays one jaxpr after grad or vmap, and the compiler and the devices
 * build each program and pipeline once.
 */

/** A WeakMap or Map from objects to the inner maps of a cache. */
interface Outer<K, Q, R> {
  get(obj: K): Map<Q, R> | undefined;
  set(obj: K, m: Map<Q, R>): unknown;
}

/** The inner map of `cache` under `obj`, made on first use. */
export function innerMap<K, Q, R>(cache: Outer<K, Q, R>, obj: K): Map<Q, R> {
  let m = cache.get(obj);
  if (!m) {
    m = new Map();
    cache.set(obj, m);
  }
  return m;
}

/** The value of `m` under `key`, computed by `f` and kept on first use (null results too). */
export function cached<Q, R>(m: Map<Q, R>, key: Q, f: () => R): R {
  let r = m.get(key);
  if (r === undefined) {
    r = f();
    m.set(key, r);
  }
  return r;
}

/** The result cached under (obj, key), computed by `f` on first use. */
export function memoOn<K, Q, R>(cache: Outer<K, Q, R>, obj: K, key: Q, f: () => R): R {
  return cached(innerMap(cache, obj), key, f);
}
