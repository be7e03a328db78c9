// The public functions over one backend's kernels. The package root builds them over the native
// addon (or the pure-TS kernels when it cannot load); `softmax-simd/js` over the pure-TS kernels.
import { backwardFunctions } from './backward.js';
import { crossEntropyFunctions } from './cross-entropy.js';
import { informationFunctions } from './information.js';
import type { Kernels } from './kernels.js';
import type { ParallelDefaults } from './parallel.js';
import { nllLoss } from './nll.js';
import { regressionFunctions } from './regression.js';
import { scoringFunctions } from './scoring.js';
import { sigmoidFunctions } from './sigmoid.js';
import { softmaxFunctions } from './softmax.js';

export function createApi(k: Kernels, defaults: ParallelDefaults) {
  return {
    ...softmaxFunctions(k, defaults),
    ...crossEntropyFunctions(k, defaults),
    nllLoss,
    ...informationFunctions(k),
    ...sigmoidFunctions(k),
    ...regressionFunctions(k),
    ...backwardFunctions(k),
    ...scoringFunctions(k, defaults),
  };
}

export type Api = ReturnType<typeof createApi>;
