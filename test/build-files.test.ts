// binding.gyp (the build `npm install` runs) and CMakeLists.txt (cmake-js, which also builds the C++
// tests) must build the same addon: the same sources, the same flags for each ISA file and the
// baseline, the N-API level package.json declares. CI also runs the whole suite against each build.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
const gyp = read('binding.gyp');
const cmake = read('CMakeLists.txt');

/** The addon's C++ sources a build file names (the C++ tests' own files aside). */
const sources = (text: string) => [...new Set(text.match(/native\/src\/[\w/]+\.cc/g))].sort();

describe('the two build files', () => {
  it('compile the same sources', () => {
    expect(sources(gyp)).toEqual(sources(cmake));
    expect(sources(gyp)).toContain('native/src/node/addon.cc');
  });

  it('give each SIMD file the same ISA flags', () => {
    for (const [file, flags] of [['avx2', ['-mavx2', '-mfma']], ['avx512', ['-mavx512f']]] as const) {
      const gypFlags = gyp.match(new RegExp(`"sources": \\["native/src/isa/${file}\\.cc"\\],\\s*"cflags_cc": \\[([^\\]]*)\\]`))?.[1];
      const cmakeFlags = cmake.match(new RegExp(`native/src/isa/${file}\\.cc [^\\n]*PROPERTIES COMPILE_OPTIONS "([^"]*)"`))?.[1];
      expect(gypFlags?.match(/-m[\w-]+/g)).toEqual(flags);
      expect(cmakeFlags?.split(';')).toEqual(flags);
    }
  });

  it('compile everything else for the same baseline', () => {
    for (const [arch, march] of [['x64', 'x86-64'], ['arm64', 'armv8-a']]) {
      expect(gyp).toContain(`["target_arch == '${arch}'", { "cflags_cc": ["-march=${march}"] }]`);
      expect(cmake).toMatch(new RegExp(`set\\(SSM_BASELINE_FLAGS -O3 -march=${march}\\)`));
    }
    expect(gyp).toContain('"cflags_cc": ["-std=c++17", "-O3", "-fvisibility=hidden"]');
    expect(cmake).toContain('set(CMAKE_CXX_STANDARD 17)');
    expect(cmake).toContain('set(CMAKE_CXX_VISIBILITY_PRESET hidden)');
  });

  it('take the N-API level from package.json', () => {
    const fromPackage = "require('./package.json').binary.napi_versions[0]";
    expect(gyp).toContain(`NAPI_VERSION=<!(node -p \\"${fromPackage}\\")`);
    expect(cmake).toContain(`node -p "${fromPackage}"`);
    expect(cmake).toContain('NAPI_VERSION=${SSM_NAPI_VERSION}');
  });
});
