/**
 * @file Export rule of the zeta primitive (primitives/zeta.ts), as JAX 0.10.2 lowers it
 * (jax/_src/lax/special.py's `_nary_lower_hlo`): one chlo.zeta op on operands broadcast to the
 * result's shape, and mulhi's chlo.mulhi likewise. (bessel_i0e/bessel_i1e are export/rules/bessel.ts.)
 */
import { nary } from './elementwise.js';

nary('zeta', 'zeta', true);
// lax.mulhi (primitives/mulhi.ts) is one CHLO op too.
nary('mulhi', 'mulhi', true);
