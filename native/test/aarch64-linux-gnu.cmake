# Cross-compiles the kernels and their C++ tests for AArch64 (NEON) with Debian's
# g++-aarch64-linux-gnu; ctest runs them under qemu-user. Used by `npm run test:neon`.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
