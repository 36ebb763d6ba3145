import { numpy as jnp, grad } from './src/engine/index.js';
const x = jnp.array([0, 1, 2, 3, 4], {dtype:'float32'}); const y = jnp.array([1, 3, 7, 13, 21], {dtype:'float32'});
console.log(String(jnp.polyfit(x, y, 2)));
console.log(String(jnp.polyval(jnp.array([1,1,1]), x)));
console.log(String(jnp.linalg.pinv(jnp.array([[1,2],[3,4],[5,6]], {dtype:'float32'}))));
console.log(String(grad((a: any) => jnp.sum(jnp.linalg.pinv(a)))(jnp.array([[1,2],[3,4],[5,6]], {dtype:'float32'}))));
console.log(String(jnp.cross(jnp.array([1,0,0]), jnp.array([0,1,0]))), String(jnp.vander(jnp.array([1,2,3]))));
console.log(String(jnp.matvec(jnp.ones([2,3,4]), jnp.ones([4]))));
