import { lax, numpy as jnp, grad, jit } from './src/engine/index.js';
const x = jnp.array([-10, -3, -1, 0, 0.5, 1, 2, 8, 9, 30], {dtype: 'float32'});
console.log(String(lax.besselI0e(x)));
console.log(String(lax.besselI1e(x)));
console.log(String(jit((v: any) => lax.besselI0e(v))(x)));
console.log(String(grad((v: any) => jnp.sum(lax.besselI1e(v)))(x)));
