/**
 * @file linen's Sequential (flax/linen/combinators.py, flax 0.12.8): layers applied in order. Its
 * `layers` are adopted as flax adopts a field's modules, so their variables are named `layers_0`,
 * `layers_2`, ... by position (functions in the list hold no variables but count).
 */
import { ValueError } from '../transforms/api.js';
import { Module, type ModuleOptions } from './module.js';

/** A Sequential layer: a module, or a function of the previous output (an activation, a lambda). */
export type Layer = Module | ((x: any, kwargs?: any) => unknown);

function applyLayer(layer: Layer, x: unknown, kwargs?: Record<string, unknown>): unknown {
  const kw = kwargs && Object.keys(kwargs).length ? [kwargs] : [];
  return layer instanceof Module ? layer.call(x, ...kw) : layer(x, ...kw);
}

/**
 * flax.linen.Sequential: `call(x, kwargs)` feeds x (and the keyword arguments) to the first layer
 * and each output to the next. A layer with several inputs takes the previous output, an array, as
 * its one argument (flax spreads a tuple into positional arguments; tjax modules take arrays).
 */
export class Sequential extends Module {
  static override typeName = 'Sequential';
  layers: readonly Layer[];

  constructor(layers: readonly Layer[], opts: ModuleOptions = {}) {
    super(opts);
    if (!Array.isArray(layers)) throw new ValueError(`'layers' must be a sequence, got '${typeof layers}'.`);
    this.layers = layers;
  }

  call(x: unknown, kwargs: Record<string, unknown> = {}): any {
    if (!this.layers.length) throw new ValueError(`Empty Sequential module ${this.name ?? 'None'}.`);
    let out = applyLayer(this.layers[0], x, kwargs);
    for (const layer of this.layers.slice(1)) out = applyLayer(layer, out);
    return out;
  }
}
