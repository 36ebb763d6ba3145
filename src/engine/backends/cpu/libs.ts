/**
 * @file Loads every CPU library-kernel module (each registers its kernels in lib.ts).
 */
import './lib-conv.js';
import './lib-matmul.js';
import './lib-sort.js';
import './lib-scatter.js';
import './lib-linalg.js';
import './lib-fft.js';
import './lib-eig.js';
