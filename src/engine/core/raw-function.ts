/**
 * @file The function a public wrapper stands for. The namespaces' functions are wrapped by the
 * argument binder (signature/); code that recognises a function by identity (reduce_window's
 * `lax.add` computation) compares the functions they wrap.
 */

/** Set on a wrapper to the function it wraps. */
export const RAW_FUNCTION: unique symbol = Symbol('tjax.rawFunction');

/** The function `f` wraps, or `f` itself. */
export function rawFunction<T>(f: T): T {
  if (typeof f !== 'function') return f;
  return ((f as unknown as { [RAW_FUNCTION]?: T })[RAW_FUNCTION] ?? f) as T;
}
