/**
 * @file The io namespace (`import { io } from 'tjax'`): arrays and pytrees to and from NumPy's NPY and
 * NPZ files (keys are flattened paths, as flax's checkpoints are written), and pictures of arrays as
 * PNG files.
 */
export { type LoadOptions, load, save } from './arrays.js';
export { flattenPaths, unflattenPaths } from './paths.js';
export { type ImageGridOptions, type ScatterOptions, savePng, scatterPng } from './png.js';
