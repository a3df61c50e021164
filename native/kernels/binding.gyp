{
  "targets": [
    {
      "target_name": "tickcast_kernels",
      "sources": [
        "src/kernels.c", "src/napi_args.c", "src/bind_products.c", "src/bind_lstm.c", "src/bind_elementwise.c",
        "src/gemm.c", "src/lstm.c", "src/dropout.c", "src/tile.c", "src/layernorm.c"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra", "-fno-math-errno", "-fno-trapping-math"],
      "cflags!": ["-O2"],
      "libraries": ["-ldl", "-lm"],
      "conditions": [["target_arch=='x64' and OS!='mac'", { "cflags": ["-mprefer-vector-width=512", "-Wno-psabi"] }]],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3"] }
    }
  ]
}
