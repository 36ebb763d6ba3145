/**
 * @file Whether code runs inside the evaluation of a staged equation: JAX's eqn context
 * (jax/_src/core.py `JaxprEqnContextManager`). JAX's eval_jaxpr (and so every transformation that
 * re-runs a jaxpr: linearize, jvp_jaxpr, batch_jaxpr, partial_eval_jaxpr, the backward pass) enters
 * each equation's recorded context, which sets the abstract mesh to the empty one where user code
 * leaves it unset. That setting is part of JAX's trace context, and so of jit's trace-cache key:
 * a jitted function first called from a rule that a transformation runs while re-evaluating a
 * jaxpr (a custom_jvp rule under grad of a jit, say) is traced again, with jaxprs of its own, where
 * a call from user code reuses the trace made there. Printed jaxprs show it: grad of jnp.ldexp
 * prints frexp's inner `_where` jaxprs apart from ldexp's own.
 */

let depth = 0;

/** Whether a staged equation is being evaluated (JAX: the abstract mesh context is set). */
export function inEqnContext(): boolean {
  return depth > 0;
}

/**
 * The part of a cache key JAX's trace context adds (its caches of jit traces and of transformed
 * jaxprs, weakref_lru_cache, take it in their keys): '' in user code, '|eqn' inside an equation.
 */
export function contextKey(): string {
  return depth > 0 ? '|eqn' : '';
}

/**
 * Run `f` as JAX runs an equation of a jaxpr it re-evaluates: inside its eqn context (evalJaxpr
 * and the backward pass use it, as JAX's eval_jaxpr and backward_pass do).
 */
export function withEqnContext<T>(f: () => T): T {
  depth++;
  try {
    return f();
  } finally {
    depth--;
  }
}
