/**
 * @file The table the binder reads: per namespace function (keyed by tjax path, `numpy.sum`), its JAX
 * signature and its JavaScript form. It is data, signatures.gen.json, written by
 * scripts/make-signatures.mjs from fixtures/signatures.json (JAX 0.10.2, flax 0.12.8) and the
 * TypeScript declarations of the namespaces: do not edit it, run the script after changing a
 * namespace function (test/engine/signature.test.ts fails while the table is stale).
 */
import table from './signatures.gen.json' with { type: 'json' };

/**
 * [JAX path, Python name, JAX signature, JS positional parameters (-1: rest), JS option names
 * (space-separated; null: no options object; '*': options of unknown names), and the names of JS
 * positional parameters beyond JAX's positional ones, if any].
 */
export type SignatureEntry = [string, string, string, number, string | null, string?];

export const SIGNATURES = table.signatures as unknown as Record<string, SignatureEntry>;
