import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { createApi } from '../lib/api.js';
import * as root from '../lib/index.js';
import * as js from '../lib/js.js';
import { jsKernels } from '../lib/js/kernels.js';
import { type CrossEntropyCall, type Kernels, routeSmall } from '../lib/kernels.js';
import { SMALL_MAX_DEFAULT, isasOf, load } from '../lib/load.js';

const forcedJs = process.env.SOFTMAX_SIMD_BACKEND === 'js';
const isaCap = process.env.SOFTMAX_SIMD_ISA;
const repo = fileURLToPath(new URL('..', import.meta.url));

describe('backend', () => {
  it(forcedJs ? 'is the pure-TS path when SOFTMAX_SIMD_BACKEND=js' : 'is the native addon, at the ISA asked for or the best one', () => {
    expect(root.backend.native).toBe(!forcedJs);
    // Async work runs on the library's own threads, one per core unless SOFTMAX_SIMD_THREADS says otherwise.
    expect(root.backend.threads).toBe(forcedJs ? 1 : Number(process.env.SOFTMAX_SIMD_THREADS) || availableParallelism());
    expect(js.backend).toMatchObject({ native: false, isa: 'js', supported: [] });
    if (forcedJs) return expect(root.backend.isa).toBe('js');
    const supported = root.backend.supported;
    expect(supported[0]).toBe('scalar');
    expect(supported.every((isa) => isasOf(process.arch).includes(isa))).toBe(true);
    expect(root.backend.isa).toBe(isaCap || supported[supported.length - 1]);
  });

  it('reads the CPU features the way /proc/cpuinfo reports them', () => {
    if (forcedJs || process.platform !== 'linux' || process.arch !== 'x64') return;
    const flags = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1].split(/\s+/) ?? [];
    const has = (f: string) => flags.includes(f);
    expect(root.backend.supported.includes('avx2')).toBe(has('avx2') && has('fma'));
    expect(root.backend.supported.includes('avx512')).toBe(has('avx512f') && has('avx2') && has('fma'));
  });

  it('sends inputs of at most smallMax elements to the pure-TS kernels', async () => {
    const calls: string[] = [];
    const fake = (name: string) =>
      ({ isa: name, runRows: () => (calls.push(name), 0), runRowsAsync: async () => (calls.push(name), 0) }) as unknown as Kernels;
    const routed = routeSmall(fake('avx512'), fake('js'), 4);
    const rows = (n: number, cols = n) => ({ x: new Float32Array(n), out: new Float32Array(n), cols, temperature: 1, allMaskedZero: false });
    routed.runRows({ op: 'softmax', ...rows(4) }, 1);
    routed.runRows({ op: 'logSoftmax', ...rows(5) }, 1);
    routed.runRows({ op: 'logSumExp', x: new Float64Array(3), out: new Float64Array(1), cols: 3 }, 1);
    routed.runRows({ op: 'crossEntropy', call: { logits: new Float32Array(8), cols: 8 } as CrossEntropyCall }, 1);
    await routed.runRowsAsync({ op: 'softmax', ...rows(4, 2) }, 1, new Int32Array(2));
    await routed.runRowsAsync({ op: 'softmax', ...rows(6, 2) }, 1, new Int32Array(2));
    expect(calls).toEqual(['js', 'avx512', 'js', 'avx512', 'js', 'avx512']);
    expect(routed.isa).toBe('avx512');
    expect(routeSmall(fake('avx512'), fake('js'), 0).isa).toBe('avx512');
    expect(load({}).backend.smallMax).toBe(SMALL_MAX_DEFAULT);
    expect(load({ SOFTMAX_SIMD_SMALL_MAX: '0' }).backend.smallMax).toBe(0);
    expect(() => load({ SOFTMAX_SIMD_SMALL_MAX: '-1' })).toThrow(/SOFTMAX_SIMD_SMALL_MAX must be a non-negative integer, got "-1"/);
  });

  it('follows SOFTMAX_SIMD_BACKEND and rejects unknown values', () => {
    // libuv's pool size no longer matters; SOFTMAX_SIMD_THREADS sizes the library's own threads.
    expect(load({ UV_THREADPOOL_SIZE: '1' }).backend.threads).toBe(availableParallelism());
    expect(load({ SOFTMAX_SIMD_THREADS: '3' }).backend.threads).toBe(3);
    for (const bad of ['0', '1025', '2.5', ' 2', 'x']) {
      expect(() => load({ SOFTMAX_SIMD_THREADS: bad })).toThrow(/SOFTMAX_SIMD_THREADS must be an integer from 1 to 1024/);
      expect(() => load({ SOFTMAX_SIMD_THREADS: bad, SOFTMAX_SIMD_BACKEND: 'js' })).toThrow(/SOFTMAX_SIMD_THREADS/);
    }
    expect(load({ SOFTMAX_SIMD_BACKEND: 'js' }).backend).toEqual({ native: false, isa: 'js', supported: [], smallMax: 0, threads: 1, parallelMin: 1048576, reason: 'SOFTMAX_SIMD_BACKEND=js' });
    expect(load({ SOFTMAX_SIMD_BACKEND: 'native' }).backend.native).toBe(true);
    expect(() => load({ SOFTMAX_SIMD_BACKEND: 'wasm' })).toThrow(/SOFTMAX_SIMD_BACKEND must be "js" or "native", got "wasm"/);
    const other = process.arch === 'arm64' ? 'avx2' : 'neon';
    expect(() => load({ SOFTMAX_SIMD_ISA: other })).toThrow(new RegExp(`SOFTMAX_SIMD_ISA must be one of .* on ${process.arch}, got "${other}"`));
  });

  it('was built for the N-API level package.json declares, which this Node provides', () => {
    const addon = createRequire(import.meta.url)('node-gyp-build')(repo) as { napiVersion: number; builtWith: string };
    const declared: number[] = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).binary.napi_versions;
    expect(declared).toHaveLength(1);
    expect(addon.napiVersion).toBe(declared[0]);
    expect(Number(process.versions.napi)).toBeGreaterThanOrEqual(addon.napiVersion);
    expect(['node-gyp', 'cmake-js']).toContain(addon.builtWith);
  });

  it('the package root and softmax-simd/js export backend and every function createApi builds, nothing else', () => {
    // Each entry lists the names once (ESM needs them static); this keeps the two lists in step.
    const names = ['backend', ...Object.keys(createApi(jsKernels, js.backend))].sort();
    expect(Object.keys(root).sort()).toEqual(names);
    expect(Object.keys(js).sort()).toEqual(names);
  });

  it('native and pure-TS agree on the same batch', () => {
    const x = Float32Array.from({ length: 3 * 50 }, (_, i) => Math.sin(i) * 9);
    const a = root.softmax(x, { cols: 50 }), b = js.softmax(x, { cols: 50 });
    for (let i = 0; i < x.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(2e-6 * b[i]);
  });
});

describe('the built package', () => {
  it('loads and runs inside a worker_threads Worker', async () => {
    const worker = new Worker(new URL('./helpers/worker.mjs', import.meta.url), { workerData: { x: [3, 1, -3, 2, 3, 4], cols: 3 } });
    const result = await new Promise<{ backend: typeof root.backend; p: number[] }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(result.backend.native).toBe(!forcedJs);
    const want = [0.878878242732, 0.118943235911, 0.002178521357, 0.09003057317, 0.244728471055, 0.665240955775];
    result.p.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(5e-13));
  });

  describe('in a consumer project', () => {
    const dir = mkdtempSync(join(tmpdir(), 'softmax-simd-consumer-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(repo, join(dir, 'node_modules', 'softmax-simd'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{"name":"consumer","private":true}');
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const run = (args: string[]) => JSON.parse(execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8' }));
    const probe = 'JSON.stringify({ backend: m.backend, p: Array.from(m.softmax(new Float64Array([2, 3, 4]))), js: typeof j.softmax })';

    it('can import it (ESM), with softmax-simd/js beside it', () => {
      const code = `import * as m from 'softmax-simd'; import * as j from 'softmax-simd/js'; console.log(${probe});`;
      const out = run(['--input-type=module', '-e', code]);
      expect(out.backend.native).toBe(!forcedJs);
      expect(out.p[2]).toBeCloseTo(0.665240955775, 12);
      expect(out.js).toBe('function');
    });

    it('can require it (CommonJS)', () => {
      const out = run(['-e', `const m = require('softmax-simd'); const j = require('softmax-simd/js'); console.log(${probe});`]);
      expect(out.backend.native).toBe(!forcedJs);
      expect(out.p[0]).toBeCloseTo(0.09003057317, 12);
    });
  });
});
