/**
 * @file Loads every CPU library-kernel module (each registers its kernels in lib.ts).
 */
