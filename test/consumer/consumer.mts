// Type-checked in a consumer project (run.js: tsc --noEmit, strict, no @types/node, no DOM lib):
// the declarations stand alone, results take the input's type, and misuse is a type error.
import {
  type Backend,
  type ScoreResult,
  backend,
  crossEntropy,
  crossEntropyWithGrad,
  logSoftmax,
  score,
  scoreAsync,
  softmax,
  softmaxAsync,
  topK,
} from 'softmax-simd';
import * as js from 'softmax-simd/js';

const logits = new Float32Array([2, 3, 4, 1, 0, -1]);
const p: Float32Array = softmax(logits, { cols: 3 });
const logP64: Float64Array = logSoftmax(new Float64Array(6), { cols: 3, temperature: 2 });
const mean: number = crossEntropy(logits, new Int32Array([2, 0]), { cols: 3 });
const perRow: Float32Array = crossEntropy(logits, [2, 0], { cols: 3, reduction: 'none' });
const { loss, grad }: { loss: number; grad: Float32Array } = crossEntropyWithGrad(logits, new Uint8Array([2, 0]), { cols: 3 });
const best: Int32Array = topK(logits, 2, { cols: 3 }).indices;
const scored: ScoreResult<Float32Array> = score(logits, { cols: 3, labels: [2, 0], topK: 1 });
const accuracy: number | undefined = scored.summary.accuracy;
const later: Promise<Float32Array> = softmaxAsync(logits, { cols: 3, threads: 2 });
const laterScore: Promise<ScoreResult<Float64Array>> = scoreAsync(new Float64Array(6), { cols: 3 });
const where: Backend = backend;
const isa: 'avx512' | 'avx2' | 'neon' | 'scalar' | 'js' = where.isa;
const pureTs: Float32Array = js.softmax(logits);

// @ts-expect-error plain arrays are not logits
softmax([1, 2, 3]);
// @ts-expect-error out must have the input's type
softmax(logits, { out: new Float64Array(6) });
// @ts-expect-error reduction is 'none' | 'mean' | 'sum'
crossEntropy(logits, [0], { reduction: 'avg' });
// @ts-expect-error backend is read-only
backend.native = false;

export { p, logP64, mean, perRow, loss, grad, best, accuracy, later, laterScore, isa, pureTs };
