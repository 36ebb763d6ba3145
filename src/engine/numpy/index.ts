/**
 * @file The numpy namespace (`import { numpy as jnp } from 'tjax'`): NumPy's names (snake_case,
 * as NumPy spells them) plus camelCase aliases where they differ. Also installs the array methods.
 */
import { installArrayOps } from '../core/methods.js';
import * as namespace from './namespace.js';
import './repr.js';

export * from './namespace.js';

const ops: Record<string, (...args: any[]) => any> = {};
for (const [k, v] of Object.entries(namespace))
  if (typeof v === 'function') ops[k] = v as (...args: any[]) => any;
ops.var = namespace.var_;
installArrayOps(ops);
