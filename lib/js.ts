/**
 * softmax-simd/js: the same functions as the package root, computed in pure TypeScript. It uses
 * no Node API, so it also runs in a browser. See the package root for each function's documentation.
 *
 * @packageDocumentation
 */
import { createApi } from '../api.js';
import { PARALLEL_MIN } from '../kernels.js';
import type { Backend } from '../types.js';
import { jsKernels } from './kernels.js';

export const backend: Backend = Object.freeze({
  native: false,
  isa: 'js',
  supported: [],
  smallMax: 0,
  threads: 1,
  parallelMin: PARALLEL_MIN,
  reason: 'softmax-simd/js',
});

export const {
  softmax,
  logSoftmax,
  logSumExp,
  crossEntropy,
  crossEntropyWithGrad,
  crossEntropyBackward,
  nllLoss,
  entropy,
  crossEntropyProbs,
  klDivergence,
  sigmoid,
  logSigmoid,
  sigmoidBackward,
  binaryCrossEntropyWithLogits,
  binaryCrossEntropyWithLogitsBackward,
  l1Loss,
  l1LossBackward,
  l2Loss,
  l2LossBackward,
  mseLoss,
  mseLossBackward,
  huberLoss,
  huberLossBackward,
  smoothL1Loss,
  smoothL1LossBackward,
  softmaxBackward,
  logSoftmaxBackward,
  argmax,
  topK,
  score,
  softmaxAsync,
  logSoftmaxAsync,
  logSumExpAsync,
  crossEntropyAsync,
  crossEntropyWithGradAsync,
  topKAsync,
  scoreAsync,
} = createApi(jsKernels, backend);

export type * from '../types.js';
