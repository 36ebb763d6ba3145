/**
 * @file `import(specifier)` for the few true dynamic imports (Dawn's ES-module package, tsx's
 * loader, module programs). The CLI's CommonJS bundle (scripts/bundle.mjs) swaps this module for
 * one that calls the loader its ES-module entry hands over: code compiled from the V8 code cache
 * (src/cli/compile-cache.ts) cannot call import() itself on Node 20.
 */
export function dynamicImport<T = unknown>(specifier: string): Promise<T> {
  return import(specifier) as Promise<T>;
}
