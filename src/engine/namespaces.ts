/**
 * @file The public namespaces and transformations with their arguments bound against JAX's
 * signatures (signature/): what `import { numpy as jnp, jit } from 'tjax'` gives. The engine's own
 * modules import the raw functions from each namespace's module instead.
 */
import { installArrayOps } from './core/methods.js';
import { devicePut as rawDevicePut } from './device-put.js';
import * as rawLax from './lax/index.js';
import * as rawLinen from './linen/index.js';
import * as rawNn from './nn/api.js';
import * as rawNumpy from './numpy/index.js';
import * as rawRandom from './random/index.js';
import * as rawScipy from './scipy/index.js';
import { bindFunction, bindNamespace } from './signature/index.js';
import * as api from './transforms/api.js';
import * as jits from './transforms/jit.js';
import { pmap as rawPmap } from './transforms/pmap.js';
import * as rawTree from './tree/index.js';

export const numpy = bindNamespace('numpy', rawNumpy);
export const lax = bindNamespace('lax', rawLax);
export const nn = bindNamespace('nn', rawNn);
export const random = bindNamespace('random', rawRandom);
export const scipy = bindNamespace('scipy', rawScipy);
export const linen = bindNamespace('linen', rawLinen);
export const tree = bindNamespace('tree', rawTree);

// The array methods (`x.sum({ axis: 0 })`) check their arguments as the functions do.
{
  const ops: Record<string, (...args: any[]) => any> = {};
  for (const [k, v] of Object.entries(numpy))
    if (typeof v === 'function') ops[k] = v as (...args: any[]) => any;
  ops.var = numpy.var_;
  installArrayOps(ops);
}

export const jit = bindFunction('jit', jits.jit);
export const makeJaxpr = bindFunction('makeJaxpr', jits.makeJaxpr);
export const grad = bindFunction('grad', api.grad);
export const valueAndGrad = bindFunction('valueAndGrad', api.valueAndGrad);
export const vjp = bindFunction('vjp', api.vjp);
export const jvp = bindFunction('jvp', api.jvp);
export const linearize = bindFunction('linearize', api.linearize);
export const jacfwd = bindFunction('jacfwd', api.jacfwd);
export const jacrev = bindFunction('jacrev', api.jacrev);
export const jacobian = bindFunction('jacobian', api.jacobian);
export const hessian = bindFunction('hessian', api.hessian);
export const vmap = bindFunction('vmap', api.vmap);
export const customJvp = bindFunction('customJvp', api.customJvp);
export const customVjp = bindFunction('customVjp', api.customVjp);
export const checkpoint = bindFunction('checkpoint', api.checkpoint);
export const remat = bindFunction('remat', api.remat);
export const evalShape = bindFunction('evalShape', api.evalShape);
export const linearTranspose = bindFunction('linearTranspose', api.linearTranspose);
export const stopGradient = bindFunction('stopGradient', api.stopGradient);
export const devicePut = bindFunction('devicePut', rawDevicePut);
export const pmap = bindFunction('pmap', rawPmap);
