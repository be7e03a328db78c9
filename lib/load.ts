// Chooses the backend once, at import: the native addon through node-gyp-build (a prebuild from
// prebuilds/ or a source build in build/), else the pure-TS kernels. Never throws because a binary
// is missing; SOFTMAX_SIMD_BACKEND=js forces the pure-TS path and =native makes a failed load an
// error. The addon picks its ISA itself, capped by SOFTMAX_SIMD_ISA, which is checked here.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { jsKernels } from './js/kernels.js';
import {
  type BinaryCrossEntropyCall,
  type InformationCall,
  type Kernels,
  measures,
  PARALLEL_MIN,
  type RegressionCall,
  regressionKinds,
  type RowCall,
  routeSmall,
} from './kernels.js';
import { surface } from './surface.js';
import type { Backend, FloatArray, NativeIsa } from './types.js';
import { MAX_THREADS } from './validate.js';

/**
 * The last argument of the addon's row calls: the number of threads for a sync call (which returns
 * the total), or an Int32Array [stop, threads] for an async one (a Promise of the total, null when
 * stopped).
 */
type Run<R> = [how: R extends number ? number : Int32Array];
type RowResult = number | Promise<number | null>;

/** The addon's exports (native/src/node/addon.cc); their arguments are lib/surface.ts's. */
export interface Addon {
  isa: NativeIsa;
  supported: NativeIsa[];
  softmaxRows<R extends RowResult>(x: FloatArray, out: FloatArray, cols: number, t: number, allMaskedZero: boolean, ...run: Run<R>): R;
  logSoftmaxRows<R extends RowResult>(x: FloatArray, out: FloatArray, cols: number, t: number, allMaskedZero: boolean, ...run: Run<R>): R;
  logSumExpRows<R extends RowResult>(x: FloatArray, out: FloatArray, cols: number, ...run: Run<R>): R;
  crossEntropyRows<R extends RowResult>(
    logits: FloatArray,
    cols: number,
    target: Int32Array | FloatArray,
    ignoreIndex: number,
    weight: FloatArray | null,
    labelSmoothing: number,
    temperature: number,
    lossOut: FloatArray | null,
    gradOut: FloatArray | null,
    gradScale: number,
    gradRowScale: FloatArray | null,
    ...run: Run<R>
  ): R;
  sigmoid: Kernels['sigmoid'];
  logSigmoid: Kernels['logSigmoid'];
  binaryCrossEntropyRows(
    x: FloatArray,
    target: FloatArray,
    cols: number,
    weight: FloatArray | null,
    posWeight: FloatArray | null,
    lossOut: FloatArray | null,
    gradOut: FloatArray | null,
    gradScale: number,
    gradElementScale: FloatArray | null,
  ): number;
  softmaxBackwardRows: Kernels['softmaxBackwardRows'];
  logSoftmaxBackwardRows: Kernels['logSoftmaxBackwardRows'];
  informationRows(
    measure: number,
    p: FloatArray,
    q: FloatArray | null,
    out: FloatArray,
    cols: number,
    normalize: boolean,
    scale: number,
    tolerance: number,
  ): number;
  regression(
    kind: number,
    input: FloatArray,
    target: FloatArray,
    param: number,
    lossOut: FloatArray | null,
    gradOut: FloatArray | null,
    gradScale: number,
    gradElementScale: FloatArray | null,
  ): number;
  scoreRows<R extends RowResult>(
    logits: FloatArray,
    cols: number,
    labels: Int32Array | null,
    predictions: Int32Array | null,
    confidence: FloatArray | null,
    logSumExp: FloatArray | null,
    nll: FloatArray | null,
    k: number,
    topProbabilities: boolean,
    topIndices: Int32Array | null,
    topValues: FloatArray | null,
    ...run: Run<R>
  ): R;
}

/** One row call through the addon: sync (control undefined) or async. */
function runNative<R extends RowResult>(addon: Addon, c: RowCall, how: Run<R>[0]): R {
  switch (c.op) {
    case 'softmax':
      return addon.softmaxRows(c.x, c.out, c.cols, c.temperature, c.allMaskedZero, how);
    case 'logSoftmax':
      return addon.logSoftmaxRows(c.x, c.out, c.cols, c.temperature, c.allMaskedZero, how);
    case 'logSumExp':
      return addon.logSumExpRows(c.x, c.out, c.cols, how);
    case 'crossEntropy': {
      const a = c.call;
      return addon.crossEntropyRows(a.logits, a.cols, a.target, a.ignoreIndex, a.weight, a.labelSmoothing, a.temperature,
        a.lossOut, a.gradOut, a.gradScale, a.gradRowScale, how);
    }
    case 'score': {
      const a = c.call;
      return addon.scoreRows(a.logits, a.cols, a.labels, a.predictions, a.confidence, a.logSumExp, a.nll, a.k,
        a.topProbabilities, a.topIndices, a.topValues, how);
    }
  }
}

export function nativeKernels(addon: Addon): Kernels {
  return {
    isa: addon.isa,
    sigmoid: addon.sigmoid,
    logSigmoid: addon.logSigmoid,
    binaryCrossEntropyRows: (c: BinaryCrossEntropyCall) =>
      addon.binaryCrossEntropyRows(c.x, c.target, c.cols, c.weight, c.posWeight, c.lossOut, c.gradOut, c.gradScale, c.gradElementScale),
    softmaxBackwardRows: addon.softmaxBackwardRows,
    logSoftmaxBackwardRows: addon.logSoftmaxBackwardRows,
    informationRows: (c: InformationCall) =>
      addon.informationRows(measures.indexOf(c.measure), c.p, c.q, c.out, c.cols, c.normalize, c.scale, c.tolerance),
    regression: (c: RegressionCall) =>
      addon.regression(regressionKinds.indexOf(c.kind), c.input, c.target, c.param, c.lossOut, c.gradOut, c.gradScale, c.gradElementScale),
    runRows: (call, threads) => runNative<number>(addon, call, threads),
    runRowsAsync: (call, threads, control) => {
      control[1] = threads;
      return runNative<Promise<number | null>>(addon, call, control);
    },
  };
}

function loadAddon(): Addon {
  const require = createRequire(import.meta.url);
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => Addon;
  return nodeGypBuild(fileURLToPath(new URL('..', import.meta.url)));
}

/** The native ISAs of this architecture, worst first: the values SOFTMAX_SIMD_ISA may take here. */
export function isasOf(arch: string): readonly NativeIsa[] {
  return arch === 'x64' || arch === 'arm64' ? surface.isas[arch] : surface.isas.other;
}

/** Marks an error caused by a SOFTMAX_SIMD_* variable (the CLI reports it in one line, exit 2). */
function envError<E extends Error>(error: E): E {
  return Object.assign(error, { code: 'ERR_SOFTMAX_SIMD_ENV' });
}

function checkIsaCap(env: Record<string, string | undefined>): void {
  const cap = env.SOFTMAX_SIMD_ISA ?? '';
  const isas: readonly string[] = isasOf(process.arch);
  if (cap !== '' && !isas.includes(cap)) {
    throw envError(new RangeError(`softmax-simd: SOFTMAX_SIMD_ISA must be one of ${isas.join(', ')} on ${process.arch}, got ${JSON.stringify(cap)}`));
  }
}

/**
 * Inputs of at most this many elements take the pure-TS kernels even when the addon is loaded:
 * below it, crossing into native costs more than the work. It stays below the sizes where the two
 * paths' per-call costs cross for softmax and the fused cross-entropy (bench/README.md, "Tiny
 * calls", has the measurements).
 */
export const SMALL_MAX_DEFAULT = 16;

function smallMax(env: Record<string, string | undefined>): number {
  const raw = env.SOFTMAX_SIMD_SMALL_MAX ?? '';
  if (raw === '') return SMALL_MAX_DEFAULT;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw envError(new RangeError(`softmax-simd: SOFTMAX_SIMD_SMALL_MAX must be a non-negative integer, got ${JSON.stringify(raw)}`));
  }
  return n;
}

/**
 * The library's own threads for async calls (native/src/thread_pool.h): SOFTMAX_SIMD_THREADS, or
 * the cores this process may use. libuv's pool, which fs, dns and zlib share, runs none of it.
 */
function poolThreads(env: Record<string, string | undefined>): number {
  const raw = env.SOFTMAX_SIMD_THREADS ?? '';
  if (raw === '') return Math.min(availableParallelism(), MAX_THREADS);
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= MAX_THREADS)) {
    throw envError(new RangeError(`softmax-simd: SOFTMAX_SIMD_THREADS must be an integer from 1 to ${MAX_THREADS}, got ${JSON.stringify(raw)}`));
  }
  return n;
}

export function load(env: Record<string, string | undefined> = process.env): { kernels: Kernels; backend: Backend } {
  const choice = env.SOFTMAX_SIMD_BACKEND ?? '';
  const threads = poolThreads(env); // checked on every path
  const js = (reason: string) => ({
    kernels: jsKernels,
    backend: { native: false, isa: 'js', supported: [], smallMax: 0, threads: 1, parallelMin: PARALLEL_MIN, reason } as const,
  });
  if (choice === 'js') return js('SOFTMAX_SIMD_BACKEND=js');
  if (choice !== '' && choice !== 'native') {
    throw envError(new RangeError(`softmax-simd: SOFTMAX_SIMD_BACKEND must be "js" or "native", got ${JSON.stringify(choice)}`));
  }
  checkIsaCap(env);
  const small = smallMax(env);
  let addon: Addon;
  try {
    addon = loadAddon();
  } catch (error) {
    if (choice === 'native') {
      const reason = (error as Error).message.split('\n')[0];
      throw envError(new Error(`softmax-simd: SOFTMAX_SIMD_BACKEND=native but the addon did not load (${reason})`, { cause: error }));
    }
    return js(`native addon did not load: ${(error as Error).message.split('\n')[0]}`);
  }
  const kernels = routeSmall(nativeKernels(addon), jsKernels, small);
  const backend = {
    native: true,
    isa: kernels.isa,
    supported: Object.freeze(addon.supported),
    smallMax: small,
    threads,
    parallelMin: PARALLEL_MIN,
  };
  return { kernels, backend };
}
