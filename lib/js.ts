/**
 * softmax-simd/js: the same functions as the package root, computed in pure TypeScript. It uses
 * no Node API, so it also runs in a browser. See the package root for each function's documentation.
 *
 * @packageDocumentation
 */
import { createApi } from './api.js';
import { jsKernels } from './js/kernels.js';
import { PARALLEL_MIN } from './kernels.js';
import type { Backend } from './types.js';

export const backend: Backend = Object.freeze({
  native: false,
  isa: 'js',
  supported: [],
  smallMax: 0,
  threads: 1,
  parallelMin: PARALLEL_MIN,
  reason: 'softmax-simd/js',
});

// The names the package root exports with their documentation (lib/index.ts). ESM needs static
// names, so each entry lists them once; test/backend.test.ts checks both lists against createApi.
export const {
  softmax, logSoftmax, logSumExp, crossEntropy, crossEntropyWithGrad, crossEntropyBackward, nllLoss,
  entropy, crossEntropyProbs, klDivergence, sigmoid, logSigmoid, sigmoidBackward,
  binaryCrossEntropyWithLogits, binaryCrossEntropyWithLogitsBackward, l1Loss, l1LossBackward, l2Loss,
  l2LossBackward, mseLoss, mseLossBackward, huberLoss, huberLossBackward, smoothL1Loss,
  smoothL1LossBackward, softmaxBackward, logSoftmaxBackward, argmax, topK, score, softmaxAsync,
  logSoftmaxAsync, logSumExpAsync, crossEntropyAsync, crossEntropyWithGradAsync, topKAsync, scoreAsync,
} = createApi(jsKernels, backend);

export type * from './types.js';
