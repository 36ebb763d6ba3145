/** Types of scripts/make-signatures.mjs, for test/engine/signature.test.ts. */
export const OUT: string;
export const TYPES_OUT: string;
/** Both generated files: [path, contents] pairs. */
export function generateAll(): [string, string][];
