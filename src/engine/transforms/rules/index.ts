/**
 * @file Loads the transformation rules of every primitive family covered so far; importing it
 * fills the primitives' `jvp` / `transpose` / `batch` (and jit's `partialEval`) slots.
 */
import './elementwise.js';
import './structural.js';
import './reductions.js';
import './jit.js';
import './dot.js';
import './indexing.js';
import './sorting.js';
import './cond.js';
import './while.js';
import './scan.js';
import './custom.js';
import './linalg.js';
import './windowed.js';
import './conv.js';
import './stack.js';
import './complex.js';
import './fft.js';
import './linalg-eig.js';
import './zeta.js';
import './bessel.js';
import './composed.js';
import './collectives.js';
import './linear-solve.js';
