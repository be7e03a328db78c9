// The public functions over one backend's kernels. The package root builds them over the native
// addon (or the pure-TS kernels when it cannot load); `softmax-simd/js` over the pure-TS kernels.
import { crossEntropyFunctions } from './cross-entropy.js';
import type { Kernels } from './kernels.js';
import { nllLoss } from './nll.js';
import { softmaxFunctions } from './softmax.js';

export function createApi(k: Kernels) {
  return { ...softmaxFunctions(k), ...crossEntropyFunctions(k), nllLoss };
}

export type Api = ReturnType<typeof createApi>;
