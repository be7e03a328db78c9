{
  # The build `npm install` runs (through node-gyp-build). CMakeLists.txt builds the same
  # sources with the same flags; keep the two lists in step.
  "targets": [
    {
      "target_name": "softmax_simd",
      "sources": [
        "native/src/addon.cc",
        "native/src/dispatch.cc",
        "native/src/serial.cc"
      ],
      "include_dirs": ["native/include"],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc!": ["-std=gnu++17", "-std=gnu++20", "-O2", "-O3"],
      "cflags_cc": ["-std=c++17", "-O3", "-fvisibility=hidden"],
      "cflags!": ["-O2"],
      "conditions": [
        ["target_arch == 'x64'", { "cflags_cc": ["-march=x86-64"] }],
        ["target_arch == 'arm64'", { "cflags_cc": ["-march=armv8-a"] }],
        ["OS == 'mac'", {
          "xcode_settings": {
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "GCC_OPTIMIZATION_LEVEL": "3",
            "GCC_SYMBOLS_PRIVATE_EXTERN": "YES"
          }
        }]
      ]
    }
  ]
}
