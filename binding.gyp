{
  # The build `npm install` runs (through node-gyp-build). CMakeLists.txt builds the same
  # sources with the same flags; keep the two in step. The whole addon is compiled for the
  # baseline ISA; each SIMD file gets its own flags in its own static library, and isa/dispatch.cc
  # calls it only where the CPU and the OS support it.
  "target_defaults": {
    "include_dirs": ["native/include", "native/src"],
    "cflags_cc!": ["-std=gnu++17", "-std=gnu++20"],
    "cflags_cc": ["-std=c++17", "-O3", "-fvisibility=hidden"],
    "conditions": [
      ["target_arch == 'x64'", { "cflags_cc": ["-march=x86-64"] }],
      ["target_arch == 'arm64'", { "cflags_cc": ["-march=armv8-a"] }],
      # glibc: libm's exp, log, pow... at their pre-2.29 symbol versions, as Node 20 needs only 2.28.
      ["OS == 'linux'", { "cflags_cc": ["-include", "<(module_root_dir)/native/src/glibc_compat.h"] }],
      ["OS == 'mac'", {
        "xcode_settings": {
          "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
          "GCC_OPTIMIZATION_LEVEL": "3",
          "GCC_SYMBOLS_PRIVATE_EXTERN": "YES"
        }
      }]
    ]
  },
  "targets": [
    {
      "target_name": "softmax_simd",
      "sources": [
        "native/src/node/addon.cc",
        "native/src/isa/dispatch.cc",
        "native/src/isa/serial.cc",
        "native/src/softmax/serial.cc",
        "native/src/cross_entropy/serial.cc",
        "native/src/elementwise/serial.cc",
        "native/src/information/serial.cc",
        "native/src/scoring/serial.cc"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      # The N-API level package.json declares (binary.napi_versions): the addon uses nothing newer.
      "defines": [
        "NAPI_VERSION=<!(node -p \"require('./package.json').binary.napi_versions[0]\")",
        "SSM_BUILT_WITH=\"node-gyp\"",
        # A Worker terminated while it calls the addon or its async calls complete: node-addon-api
        # then swallows the exceptions it cannot throw into JS instead of aborting the process.
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"
      ],
      "conditions": [
        ["target_arch == 'x64' and OS != 'win'", {
          "dependencies": ["softmax_simd_avx2", "softmax_simd_avx512"],
          "defines": ["SSM_HAVE_AVX2", "SSM_HAVE_AVX512"]
        }],
        ["target_arch == 'arm64'", {
          "sources": ["native/src/isa/neon.cc"],
          "defines": ["SSM_HAVE_NEON"]
        }]
      ]
    }
  ],
  "conditions": [
    ["target_arch == 'x64' and OS != 'win'", {
      "targets": [
        {
          "target_name": "softmax_simd_avx2",
          "type": "static_library",
          "sources": ["native/src/isa/avx2.cc"],
          "cflags_cc": ["-mavx2", "-mfma"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-mavx2", "-mfma"] }
        },
        {
          "target_name": "softmax_simd_avx512",
          "type": "static_library",
          "sources": ["native/src/isa/avx512.cc"],
          "cflags_cc": ["-mavx512f"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-mavx512f"] }
        }
      ]
    }]
  ]
}
