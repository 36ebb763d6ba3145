# tjax-blas: two C files over the system's OpenBLAS (Debian: apt-get install libopenblas-dev).
{
  "targets": [
    {
      "target_name": "tjax_blas",
      "sources": ["src/blas.c", "src/conv.c"],
      "cflags": ["-O2", "-std=c11", "-Wall"],
      "libraries": ["-lopenblas"]
    }
  ]
}
