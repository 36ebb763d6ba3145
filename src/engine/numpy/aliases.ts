/**
 * @file jax.numpy's other names for functions the namespace has: the Array API spellings JAX
 * 0.10.2 exports beside NumPy's (`acos` for `arccos`, `pow` for `power`, `bitwise_invert` for
 * `invert`, ...). Each is the same function, so it traces to the same jaxpr, as JAX's do.
 */
export {
  arccos as acos,
  arccosh as acosh,
  arcsin as asin,
  arcsinh as asinh,
  arctan as atan,
  arctan2 as atan2,
  arctanh as atanh,
  invert as bitwise_invert,
  left_shift as bitwise_left_shift,
  power as pow,
  right_shift as bitwise_right_shift,
} from './ufuncs.js';
