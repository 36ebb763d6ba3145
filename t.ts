import { numpy as jnp, makeJaxpr } from './src/engine/index.js';
console.log(String(jnp.linspace(0, 1, 5)), String(jnp.linspace(0, 10, 4, {endpoint: false})), String(jnp.geomspace(1, 1000, 4)), String(jnp.logspace(0, 2, 3)));
console.log(String(makeJaxpr(() => jnp.linspace(0., 1., 5))()));
console.log(String(jnp.linspace(jnp.array([0, 1]), 5, 3, {axis: 1})));
