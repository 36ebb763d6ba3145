# tjax-blas: four C files (tjax's own AVX-512 GEMM in gemm512.c, its threads in pool.c) over the system's OpenBLAS (Debian: apt-get install libopenblas-dev).
{
  "targets": [
    {
      "target_name": "tjax_blas",
      "sources": ["src/blas.c", "src/conv.c", "src/gemm512.c", "src/pool.c"],
      "cflags": ["-O2", "-std=c11", "-Wall"],
      "libraries": ["-lopenblas", "-lpthread"]
    }
  ]
}
