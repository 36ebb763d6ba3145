/**
 * @file jax.nn.dot_product_attention with JAX 0.10.2's XLA implementation
 * (jax/_src/nn/functions.py `_dot_product_attention_xla`): query heads grouped over the key/value
 * heads (grouped-query attention), logits in at least float32 scaled by 1/sqrt(H), bias, boolean
 * mask, causal, sliding-window and sequence-length masks applied as a large negative number,
 * softmax in float32, and the optional log-sum-exp residual. The shape and dtype checks raise
 * JAX's messages.
 */
import { bool, float32, promoteTypes, type toDType } from '../core/dtype.js';
import { shapeTuple } from '../core/shape.js';
import type { Value } from '../core/trace.js';
import * as jnp from '../numpy/namespace.js';
import { stopGradient, vmap } from '../transforms/api.js';
import { logsumexp, softmax } from './softmax.js';

type In = unknown;

export interface DotProductAttentionOptions {
  bias?: In | null;
  mask?: In | null;
  scale?: number | null;
  isCausal?: boolean;
  is_causal?: boolean;
  querySeqLengths?: In | null;
  query_seq_lengths?: In | null;
  keyValueSeqLengths?: In | null;
  key_value_seq_lengths?: In | null;
  localWindowSize?: number | readonly [number, number] | null;
  local_window_size?: number | readonly [number, number] | null;
  implementation?: 'xla' | 'cudnn' | null;
  returnResidual?: boolean;
  return_residual?: boolean;
}

function largeNegative(dt: ReturnType<typeof toDType>): Value {
  const max = dt.itemsize === 2 ? 65504 : 3.4028234663852886e38;
  return jnp.asarray(-0.7 * max, { dtype: dt }) as Value;
}

function ensure4d(t: In): Value {
  const v = jnp.asarray(t as never) as Value;
  return v.ndim < 4
    ? jnp.expand_dims(
        v,
        Array.from({ length: 4 - v.ndim }, (_, i) => i),
      )
    : v;
}

interface Masks {
  isCausal: boolean;
  qLen: Value | null;
  kvLen: Value | null;
  window: readonly [number, number] | null;
}

function applyMasks(logits: Value, mask: Value | null, m: Masks): Value {
  if (mask === null && !m.isCausal && m.qLen === null && m.kvLen === null && m.window === null) return logits;
  let combined = jnp.onesLike(logits, { dtype: bool }) as Value;
  if (mask !== null) combined = jnp.logical_and(combined, mask);
  const [T, S] = [logits.shape[2], logits.shape[3]];
  if (m.isCausal)
    combined = jnp.logical_and(combined, jnp.tril(jnp.ones([T, S], { dtype: bool })).reshape(1, 1, T, S));
  if (m.window !== null) {
    const [left, right] = m.window;
    const q = jnp.expand_dims(jnp.arange(T), -1);
    const k = jnp.expand_dims(jnp.arange(S), 0);
    const w = jnp.logical_and(
      jnp.greater_equal(q, jnp.subtract(k, right)),
      jnp.less_equal(q, jnp.add(k, left)),
    );
    combined = jnp.logical_and(combined, w.reshape(1, 1, T, S));
  }
  if (m.qLen !== null || m.kvLen !== null) {
    let pad: Value | boolean = true;
    if (m.qLen !== null)
      pad = jnp.less(jnp.arange(T).reshape(1, T, 1), m.qLen.reshape(m.qLen.shape[0], 1, 1));
    if (m.kvLen !== null)
      pad = jnp.logical_and(
        pad,
        jnp.less(jnp.arange(S).reshape(1, 1, S), m.kvLen.reshape(m.kvLen.shape[0], 1, 1)),
      );
    const p = pad as Value;
    combined = jnp.logical_and(combined, jnp.expand_dims(p, 1));
  }
  return jnp.where(combined, logits, largeNegative(logits.dtype));
}

/** _dot_product_attention_core for one group: query (B, T, N, H), key/value (B, S, N, H). */
function core(
  query: Value,
  key: Value,
  value: Value,
  bias: Value | null,
  mask: Value | null,
  scale: number,
  m: Masks,
  residual: boolean,
): Value | [Value, Value] {
  const logitsDt = promoteTypes(
    { dtype: query.dtype, weakType: false },
    { dtype: float32, weakType: false },
  ).dtype;
  let logits = jnp.einsum('BTNH,BSNH->BNTS', query, key, { preferredElementType: logitsDt });
  logits = jnp.multiply(logits, jnp.asarray(scale, { dtype: logits.dtype }));
  if (bias !== null) logits = jnp.astype(jnp.add(logits, bias), logits.dtype);
  const padded = jnp.astype(applyMasks(logits, mask, m), float32);
  const probs = jnp.astype(softmax(padded, { axis: -1 }), key.dtype);
  let encoded = jnp.einsum('BNTS,BSNH->BTNH', probs, value);
  if (m.qLen !== null) {
    const T = encoded.shape[1];
    const qm = jnp.less(jnp.arange(T).reshape(1, T), m.qLen.reshape(m.qLen.shape[0], 1));
    encoded = jnp.multiply(encoded, jnp.astype(qm.reshape(qm.shape[0], T, 1, 1), encoded.dtype));
  }
  if (!residual) return encoded;
  const lse = jnp.transpose(jnp.astype(logsumexp(padded, { axis: -1 }), key.dtype), [0, 2, 1]);
  return [encoded, stopGradient(lse)];
}

function checkShape(t: Value | null, shape: number[], dtype: string | null, name: string): void {
  if (t === null) return;
  if (t.ndim !== shape.length) throw new Error(`${name} ndim should be ${shape.length}, but got ${t.ndim}`);
  if (dtype !== null && t.dtype.name !== dtype)
    throw new Error(`${name} dtype should be ${dtype}, but got ${t.dtype.name}`);
  for (let i = 0; i < t.ndim; i++) {
    if (shape[i] !== -1 && t.shape[i] !== shape[i])
      throw new Error(`${name} shape should be [${shape.join(', ')}]: but got ${shapeTuple(t.shape)}`);
  }
}

/**
 * dot_product_attention(query, key, value, {bias, mask, scale, is_causal, query_seq_lengths,
 * key_value_seq_lengths, local_window_size, implementation, return_residual}): scaled dot-product
 * attention over (B, T, N, H) queries and (B, S, K, H) keys/values (N a multiple of K).
 */
export function dotProductAttention(
  query: In,
  key: In,
  value: In,
  opts: DotProductAttentionOptions = {},
): Value | [Value, Value] {
  const outShape = (jnp.asarray(query as never) as Value).shape;
  const q = ensure4d(query);
  const k = ensure4d(key);
  const v = ensure4d(value);
  const bias = opts.bias == null ? null : ensure4d(opts.bias);
  const mask = opts.mask == null ? null : ensure4d(opts.mask);
  const qlRaw = opts.querySeqLengths ?? opts.query_seq_lengths ?? null;
  const kvRaw = opts.keyValueSeqLengths ?? opts.key_value_seq_lengths ?? null;
  const qLen = qlRaw === null ? null : (jnp.asarray(qlRaw as never) as Value);
  const kvLen = kvRaw === null ? null : (jnp.asarray(kvRaw as never) as Value);
  const lws = opts.localWindowSize ?? opts.local_window_size ?? null;
  const window = lws === null ? null : typeof lws === 'number' ? ([lws, lws] as const) : lws;
  const residual = opts.returnResidual ?? opts.return_residual ?? false;
  const [B, S, K, H] = k.shape;
  checkShape(v, [B, S, K, H], k.dtype.name, 'value');
  checkShape(q, [B, -1, -1, H], k.dtype.name, 'query');
  checkShape(mask, [-1, -1, -1, -1], 'bool', 'mask');
  checkShape(bias, [-1, -1, -1, -1], null, 'bias');
  checkShape(qLen, [B], 'int32', 'query_seq_lengths');
  checkShape(kvLen, [B], 'int32', 'key_value_seq_lengths');
  const N = q.shape[2];
  if (N % K !== 0)
    throw new Error(`The number of query heads must be a multiple of key/value heads, but got ${N} vs ${K}`);
  const impl = opts.implementation ?? null;
  if (impl === 'cudnn') throw new Error('cuDNN attention needs an NVIDIA GPU; tjax implements the xla one');
  if (impl !== null && impl !== 'xla') throw new Error(`Unsupported implementation option: ${impl}`);
  const scale = opts.scale ?? 1 / Math.sqrt(H);
  // Grouped-query attention: N = K * G query heads share each key/value head.
  const T = q.shape[1];
  const G = N / K;
  const qg = jnp.reshape(q, [B, T, K, G, H]);
  const grouped = (t: Value | null) => {
    if (t === null) return null;
    const [tB, tN, tT, tS] = t.shape;
    if (tN === 1) return jnp.broadcast_to(jnp.expand_dims(t, 2), [tB, tN, G, tT, tS]);
    return jnp.reshape(t, [tB, K, G, tT, tS]);
  };
  const m: Masks = { isCausal: opts.isCausal ?? opts.is_causal ?? false, qLen, kvLen, window };
  const gb = grouped(bias);
  const gm = grouped(mask);
  const fn = (qq: Value, bb: Value | null, mm: Value | null) => core(qq, k, v, bb, mm, scale, m, residual);
  const args = [qg, gb, gm].filter((x) => x !== null) as Value[];
  const mapped = vmap(
    (...xs: Value[]) => {
      let i = 1;
      return fn(xs[0], gb === null ? null : xs[i++], gm === null ? null : xs[i++]);
    },
    { inAxes: args.map((_, i) => (i === 0 ? 3 : 2)), outAxes: 3 },
  )(...args) as Value | [Value, Value];
  if (residual) {
    const [enc, lse] = mapped as [Value, Value];
    return [jnp.reshape(enc, outShape), jnp.reshape(jnp.reshape(lse, [B, T, N]), outShape.slice(0, -1))];
  }
  return jnp.reshape(jnp.reshape(mapped as Value, [B, T, N, H]), outShape);
}
export { dotProductAttention as dot_product_attention };
