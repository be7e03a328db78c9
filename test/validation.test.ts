import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { type Api, apis } from './helpers/apis.js';

const SENTINEL = 42;
const f32 = (n: number) => new Float32Array(n).fill(SENTINEL);
const x6 = () => new Float32Array([1, 2, 3, 4, 5, 6]);
const probs = () => new Float32Array([0.5, 0.25, 0.25, 0.5, 0.75, 0.25]);

/** One bad call: what it does to a fresh `out` (filled with SENTINEL), and the error it must raise. */
interface Bad {
  name: string;
  call: (api: Api, out: Float32Array) => unknown;
  error: typeof TypeError | typeof RangeError;
  message: RegExp;
  outLength?: number;
}

const bad: Bad[] = [
  { name: 'x a plain array', call: (a, out) => a.softmax([1, 2] as never, { out }), error: TypeError, message: /softmax: x must be a Float32Array or Float64Array, got Array\(2\)/ },
  { name: 'x an Int32Array', call: (a, out) => a.logSoftmax(new Int32Array(6) as never, { out }), error: TypeError, message: /logSoftmax: x must be a Float32Array or Float64Array, got Int32Array\(6\)/ },
  { name: 'x null', call: (a) => a.logSumExp(null as never), error: TypeError, message: /logSumExp: x must be .* got null/ },
  { name: 'length not a multiple of cols', call: (a, out) => a.softmax(x6(), { cols: 4, out }), error: RangeError, message: /softmax: x.length \(6\) must be a multiple of cols \(4\)/ },
  { name: 'cols 0', call: (a, out) => a.softmax(x6(), { cols: 0, out }), error: RangeError, message: /softmax: cols must be a positive integer, got 0/ },
  { name: 'cols 1.5', call: (a, out) => a.softmax(x6(), { cols: 1.5, out }), error: RangeError, message: /cols must be a positive integer, got 1.5/ },
  { name: 'cols NaN', call: (a, out) => a.softmax(x6(), { cols: NaN, out }), error: RangeError, message: /cols must be a positive integer, got NaN/ },
  { name: 'cols 2^53', call: (a, out) => a.softmax(x6(), { cols: 2 ** 53, out }), error: RangeError, message: /cols must be a positive integer/ },
  { name: 'cols a string', call: (a, out) => a.softmax(x6(), { cols: '3' as never, out }), error: TypeError, message: /cols must be a positive integer, got "3"/ },
  { name: 'empty x without cols', call: (a) => a.softmax(new Float32Array(0)), error: RangeError, message: /softmax: x is empty; pass cols/ },
  { name: 'out of the other type', call: (a) => a.softmax(x6(), { out: new Float64Array(6) as never }), error: TypeError, message: /softmax: out must be a Float32Array like the input, got Float64Array\(6\)/ },
  { name: 'out too short', call: (a) => a.softmax(x6(), { out: f32(5) }), error: RangeError, message: /softmax: out.length must be 6, got 5/ },
  { name: 'logSumExp out of length cols', call: (a) => a.logSumExp(x6(), { cols: 3, out: f32(6) }), error: RangeError, message: /logSumExp: out.length must be 2, got 6/ },
  { name: 'out overlapping x at an offset', call: (a) => { const b = new Float32Array(8).fill(SENTINEL); b.set([1, 2, 3, 4, 5, 6]); return a.softmax(b.subarray(0, 6), { cols: 3, out: b.subarray(2, 8) }); }, error: RangeError, message: /softmax: out overlaps an input without being the same array/ },
  { name: 'temperature 0', call: (a, out) => a.softmax(x6(), { temperature: 0, out }), error: RangeError, message: /softmax: temperature must be finite and > 0, got 0/ },
  { name: 'temperature -1', call: (a, out) => a.logSoftmax(x6(), { temperature: -1, out }), error: RangeError, message: /temperature must be finite and > 0, got -1/ },
  { name: 'temperature Infinity', call: (a, out) => a.softmax(x6(), { temperature: Infinity, out }), error: RangeError, message: /temperature must be finite and > 0, got Infinity/ },
  { name: 'temperature NaN', call: (a, out) => a.softmax(x6(), { temperature: NaN, out }), error: RangeError, message: /temperature must be finite and > 0, got NaN/ },
  { name: 'temperature a string', call: (a, out) => a.softmax(x6(), { temperature: '1' as never, out }), error: TypeError, message: /temperature must be a number, got "1"/ },
  { name: 'allMasked unknown', call: (a, out) => a.softmax(x6(), { allMasked: 'zeros' as never, out }), error: RangeError, message: /allMasked must be 'nan' or 'zero', got "zeros"/ },
  { name: 'unknown option', call: (a, out) => a.softmax(x6(), { temprature: 2, out } as never), error: TypeError, message: /softmax: unknown option "temprature" \(known: cols, out, temperature, allMasked, threads, signal\)/ },
  { name: 'options not an object', call: (a) => a.softmax(x6(), 3 as never), error: TypeError, message: /softmax: options must be an object, got 3/ },
  { name: 'labels of the wrong length', call: (a, out) => a.crossEntropy(x6(), [0, 1, 2], { cols: 3, reduction: 'none', out }), error: RangeError, message: /crossEntropy: target.length \(3\) must equal the number of rows \(2\)/, outLength: 2 },
  { name: 'a fractional label', call: (a, out) => a.crossEntropyBackward(x6(), [0, 1.5], { cols: 3, out }), error: RangeError, message: /crossEntropyBackward: target\[1\] must be an integer class index, got 1.5/ },
  { name: 'a NaN label', call: (a, out) => a.crossEntropyWithGrad(x6(), [NaN, 1], { cols: 3, gradOut: out }), error: RangeError, message: /crossEntropyWithGrad: target\[0\] must be an integer class index, got NaN/ },
  { name: 'a string label', call: (a, out) => a.crossEntropyBackward(x6(), ['1', 1] as never, { cols: 3, out }), error: TypeError, message: /target\[0\] must be an integer class index, got "1"/ },
  { name: 'a label = cols', call: (a, out) => a.crossEntropyBackward(x6(), [0, 3], { cols: 3, out }), error: RangeError, message: /crossEntropyBackward: target\[1\] must be in \[0, 3\) or ignoreIndex \(-100\), got 3/ },
  { name: 'a negative label', call: (a, out) => a.crossEntropyBackward(x6(), new Int8Array([-1, 0]), { cols: 3, out }), error: RangeError, message: /target\[0\] must be in \[0, 3\) or ignoreIndex \(-100\), got -1/ },
  { name: 'a BigInt label too large', call: (a, out) => a.crossEntropyBackward(x6(), new BigInt64Array([0n, 2n ** 40n]), { cols: 3, out }), error: RangeError, message: /target\[1\] must be in \[0, 3\) or ignoreIndex \(-100\), got 1099511627776n/ },
  { name: 'target a string', call: (a, out) => a.crossEntropyBackward(x6(), 'ab' as never, { cols: 3, out }), error: TypeError, message: /crossEntropyBackward: target must be class indices .* got "ab"/ },
  { name: 'soft targets of the other type', call: (a, out) => a.crossEntropyBackward(x6(), new Float64Array(6) as never, { cols: 3, out }), error: TypeError, message: /target must be class indices, or soft targets as a Float32Array like the logits, got Float64Array\(6\)/ },
  { name: 'soft targets of the wrong length', call: (a, out) => a.crossEntropyBackward(x6(), new Float32Array(3), { cols: 3, out }), error: RangeError, message: /target.length must be the logits' length \(6\), got 3/ },
  { name: 'weights of the wrong length', call: (a, out) => a.crossEntropyBackward(x6(), [0, 1], { cols: 3, weight: [1, 2], out }), error: RangeError, message: /crossEntropyBackward: weight.length must be cols \(3\), got 2/ },
  { name: 'weights not numbers', call: (a, out) => a.crossEntropyBackward(x6(), [0, 1], { cols: 3, weight: 'abc' as never, out }), error: TypeError, message: /weight must be a Float32Array, Float64Array or number\[\], got "abc"/ },
  { name: 'labelSmoothing -0.1', call: (a, out) => a.crossEntropyBackward(x6(), [0, 1], { cols: 3, labelSmoothing: -0.1, out }), error: RangeError, message: /labelSmoothing must be in \[0, 1\], got -0.1/ },
  { name: 'labelSmoothing 1.5', call: (a, out) => a.crossEntropyBackward(x6(), [0, 1], { cols: 3, labelSmoothing: 1.5, out }), error: RangeError, message: /labelSmoothing must be in \[0, 1\], got 1.5/ },
  { name: 'labelSmoothing NaN', call: (a, out) => a.crossEntropyBackward(x6(), [0, 1], { cols: 3, labelSmoothing: NaN, out }), error: RangeError, message: /labelSmoothing must be in \[0, 1\], got NaN/ },
  { name: 'cross-entropy temperature 0', call: (a, out) => a.crossEntropyBackward(x6(), [0, 1], { cols: 3, temperature: 0, out }), error: RangeError, message: /crossEntropyBackward: temperature must be finite and > 0, got 0/ },
  { name: 'reduction unknown', call: (a, out) => a.crossEntropyBackward(x6(), [0, 1], { cols: 3, reduction: 'avg' as never, out }), error: RangeError, message: /reduction must be 'none', 'mean' or 'sum', got "avg"/ },
  { name: 'ignoreIndex fractional', call: (a, out) => a.crossEntropyBackward(x6(), [0, 1], { cols: 3, ignoreIndex: 0.5, out }), error: RangeError, message: /ignoreIndex must be a safe integer, got 0.5/ },
  { name: 'gradOutput per row with mean', call: (a, out) => a.crossEntropyBackward(x6(), [0, 1], { cols: 3, gradOutput: [1, 1], out }), error: RangeError, message: /gradOutput must be a number with reduction 'mean', got Array\(2\)/ },
  { name: 'gradOutput of the wrong length', call: (a, out) => a.crossEntropyBackward(x6(), [0, 1], { cols: 3, reduction: 'none', gradOutput: [1], out }), error: RangeError, message: /gradOutput.length must be rows \(2\), got 1/ },
  { name: 'gradOut of the wrong length', call: (a) => a.crossEntropyWithGrad(x6(), [0, 1], { cols: 3, gradOut: f32(5) }), error: RangeError, message: /crossEntropyWithGrad: gradOut.length must be 6, got 5/ },
  { name: 'out with reduction mean', call: (a, out) => a.crossEntropy(x6(), [0, 1], { cols: 3, out } as never), error: RangeError, message: /crossEntropy: out is only used with reduction 'none'/, outLength: 2 },
  { name: 'gradOut holding the weights', call: (a, out) => a.crossEntropyWithGrad(x6(), [0, 1], { cols: 3, weight: out.subarray(0, 3), gradOut: out }), error: RangeError, message: /crossEntropyWithGrad: gradOut overlaps an input without being the same array/ },
  // The labels are out's own bytes: SENTINEL's bit pattern, made valid by ignoring it.
  { name: 'out over the labels\' bytes', call: (a, out) => a.crossEntropyBackward(x6(), new Int32Array(out.buffer, 0, 2), { cols: 3, ignoreIndex: new Int32Array(f32(1).buffer)[0], out }), error: RangeError, message: /crossEntropyBackward: out overlaps an input/ },
  { name: 'out holding the per-row gradOutput', call: (a, out) => a.crossEntropyBackward(x6(), [0, 1], { cols: 3, reduction: 'none', gradOutput: out.subarray(4, 6), out }), error: RangeError, message: /out overlaps an input/ },
  { name: 'nllLoss label out of range', call: (a, out) => a.nllLoss(x6(), [0, 5], { cols: 3, reduction: 'none', out }), error: RangeError, message: /nllLoss: target\[1\] must be in \[0, 3\) or ignoreIndex \(-100\), got 5/, outLength: 2 },
  { name: 'nllLoss soft targets', call: (a) => a.nllLoss(x6(), new Float32Array(6) as never, { cols: 3 }), error: TypeError, message: /nllLoss: target must be class indices/ },
  // The entropy family: the kernel checks every row before it writes.
  { name: 'entropy: a row not summing to 1', call: (a, out) => a.entropy(probs(), { cols: 3, out }), error: RangeError, message: /entropy: row 1 of p sums to 1.5, not 1 \(within 0.001\); pass normalize: true/, outLength: 2 },
  { name: 'entropy: a negative entry', call: (a, out) => a.entropy(new Float32Array([0.5, 0.25, 0.25, 1.5, -0.5, 0]), { cols: 3, out }), error: RangeError, message: /entropy: p\[4\] \(row 1\) must be a finite probability ≥ 0, got -0.5/, outLength: 2 },
  { name: 'entropy: NaN', call: (a, out) => a.entropy(new Float32Array([0.5, 0.5, NaN]), { out }), error: RangeError, message: /entropy: p\[2\] \(row 0\) must be a finite probability ≥ 0, got NaN/, outLength: 1 },
  { name: 'entropy: Infinity with normalize', call: (a, out) => a.entropy(new Float32Array([1, Infinity]), { normalize: true, out }), error: RangeError, message: /entropy: p\[1\] \(row 0\) must be a finite probability ≥ 0, got Infinity/, outLength: 1 },
  { name: 'entropy: a zero row with normalize', call: (a, out) => a.entropy(new Float32Array([1, 2, 0, 0]), { cols: 2, normalize: true, out }), error: RangeError, message: /entropy: row 1 of p sums to 0; normalize needs a positive sum/, outLength: 2 },
  { name: 'klDivergence: a bad row of q', call: (a, out) => a.klDivergence(new Float32Array([0.5, 0.5]), new Float32Array([0.5, 0.25]), { out }), error: RangeError, message: /klDivergence: row 0 of q sums to 0.75, not 1/, outLength: 1 },
  { name: 'entropy: base 1', call: (a, out) => a.entropy(new Float32Array([1]), { base: 1, out }), error: RangeError, message: /entropy: base must be finite, > 0 and not 1, got 1/, outLength: 1 },
  { name: 'entropy: base -2', call: (a, out) => a.entropy(new Float32Array([1]), { base: -2, out }), error: RangeError, message: /base must be finite, > 0 and not 1, got -2/, outLength: 1 },
  { name: 'entropy: base a string', call: (a, out) => a.entropy(new Float32Array([1]), { base: 'e' as never, out }), error: TypeError, message: /entropy: base must be a number, got "e"/, outLength: 1 },
  { name: 'entropy: normalize a string', call: (a, out) => a.entropy(new Float32Array([1]), { normalize: 'yes' as never, out }), error: TypeError, message: /entropy: normalize must be a boolean, got "yes"/, outLength: 1 },
  { name: 'crossEntropyProbs: q of the other type', call: (a, out) => a.crossEntropyProbs(new Float32Array([1]), new Float64Array([1]) as never, { out }), error: TypeError, message: /crossEntropyProbs: q must be a Float32Array like p, got Float64Array\(1\)/, outLength: 1 },
  { name: 'crossEntropyProbs: q missing', call: (a, out) => (a.crossEntropyProbs as (p: Float32Array, q?: unknown, o?: object) => unknown)(new Float32Array([1]), undefined, { out }), error: TypeError, message: /crossEntropyProbs: q must be a Float32Array like p, got undefined/, outLength: 1 },
  { name: 'klDivergence: q of the wrong length', call: (a, out) => a.klDivergence(new Float32Array([1, 0]), new Float32Array([1]), { out }), error: RangeError, message: /klDivergence: q.length must be p.length \(2\), got 1/, outLength: 1 },
  { name: 'entropy: out overlapping p', call: (a, out) => a.entropy(out.subarray(0, 2), { cols: 1, out: out.subarray(1, 3) }), error: RangeError, message: /entropy: out overlaps an input/ },
  // The sigmoid family and binary cross-entropy.
  { name: 'sigmoid: x a plain array', call: (a, out) => a.sigmoid([0] as never, { out }), error: TypeError, message: /sigmoid: x must be a Float32Array or Float64Array, got Array\(1\)/ },
  { name: 'logSigmoid: out too short', call: (a) => a.logSigmoid(x6(), { out: f32(5) }), error: RangeError, message: /logSigmoid: out.length must be 6, got 5/ },
  { name: 'sigmoid: cols is not an option', call: (a, out) => a.sigmoid(x6(), { cols: 3, out } as never), error: TypeError, message: /sigmoid: unknown option "cols" \(known: out\)/ },
  { name: 'sigmoidBackward: dy too short', call: (a, out) => a.sigmoidBackward(x6(), f32(5), { out }), error: RangeError, message: /sigmoidBackward: dy.length must be y.length \(6\), got 5/ },
  { name: 'BCE: target of the other type', call: (a, out) => a.binaryCrossEntropyWithLogits(x6(), new Float64Array(6) as never, { reduction: 'none', out }), error: TypeError, message: /binaryCrossEntropyWithLogits: target must be a Float32Array like x, got Float64Array\(6\)/ },
  { name: 'BCE: weight of neither length', call: (a, out) => a.binaryCrossEntropyWithLogits(x6(), x6(), { cols: 3, weight: [1, 2], reduction: 'none', out }), error: RangeError, message: /binaryCrossEntropyWithLogits: weight.length must be x.length \(6\) or cols \(3\), got 2/ },
  { name: 'BCE: posWeight NaN', call: (a, out) => a.binaryCrossEntropyWithLogitsBackward(x6(), x6(), { posWeight: NaN, out }), error: RangeError, message: /binaryCrossEntropyWithLogitsBackward: posWeight must be finite, got NaN/ },
  { name: 'BCE: posWeight of the wrong length', call: (a, out) => a.binaryCrossEntropyWithLogitsBackward(x6(), x6(), { cols: 3, posWeight: [1, 2], out }), error: RangeError, message: /posWeight.length must be cols \(3\), got 2/ },
  { name: 'BCE: per-element gradOutput with sum', call: (a, out) => a.binaryCrossEntropyWithLogitsBackward(x6(), x6(), { reduction: 'sum', gradOutput: x6(), out }), error: RangeError, message: /gradOutput must be a number with reduction 'sum', got Float32Array\(6\)/ },
  { name: 'BCE: gradOutput of the wrong length', call: (a, out) => a.binaryCrossEntropyWithLogitsBackward(x6(), x6(), { reduction: 'none', gradOutput: [1, 2], out }), error: RangeError, message: /gradOutput.length must be the number of elements \(6\), got 2/ },
  // Regression losses.
  { name: 'huberLoss: delta 0', call: (a, out) => a.huberLoss(x6(), x6(), { delta: 0, reduction: 'none', out }), error: RangeError, message: /huberLoss: delta must be finite and > 0, got 0/ },
  { name: 'smoothL1LossBackward: beta -1', call: (a, out) => a.smoothL1LossBackward(x6(), x6(), { beta: -1, out }), error: RangeError, message: /smoothL1LossBackward: beta must be finite and ≥ 0, got -1/ },
  { name: 'l1Loss: delta is not an option', call: (a, out) => a.l1Loss(x6(), x6(), { delta: 1, reduction: 'none', out } as never), error: TypeError, message: /l1Loss: unknown option "delta" \(known: reduction, out\)/ },
  { name: 'mseLoss: target too short', call: (a, out) => a.mseLoss(x6(), f32(5), { reduction: 'none', out }), error: RangeError, message: /mseLoss: target.length must be input.length \(6\), got 5/ },
  { name: 'l2LossBackward: out of the other type', call: (a) => a.l2LossBackward(x6(), x6(), { out: new Float64Array(6) as never }), error: TypeError, message: /l2LossBackward: out must be a Float32Array like the input/ },
  // Backward products.
  { name: 'softmaxBackward: dy of the other type', call: (a, out) => a.softmaxBackward(x6(), new Float64Array(6) as never, { out }), error: TypeError, message: /softmaxBackward: dy must be a Float32Array like y, got Float64Array\(6\)/ },
  { name: 'logSoftmaxBackward: cols not dividing', call: (a, out) => a.logSoftmaxBackward(x6(), x6(), { cols: 4, out }), error: RangeError, message: /logSoftmaxBackward: y.length \(6\) must be a multiple of cols \(4\)/ },
  { name: 'softmaxBackward: out overlapping dy', call: (a) => { const b = new Float32Array(8).fill(SENTINEL); return a.softmaxBackward(x6(), b.subarray(0, 6), { out: b.subarray(2, 8) }); }, error: RangeError, message: /softmaxBackward: out overlaps an input/ },
  // Scoring.
  { name: 'argmax: out a Float32Array', call: (a, out) => a.argmax(x6(), { cols: 3, out: out as never }), error: TypeError, message: /argmax: out must be an Int32Array, got Float32Array\(6\)/ },
  { name: 'argmax: out too long', call: (a) => a.argmax(x6(), { cols: 3, out: new Int32Array(3) }), error: RangeError, message: /argmax: out.length must be 2, got 3/ },
  { name: 'topK: k 0', call: (a, out) => a.topK(x6(), 0, { cols: 3, valuesOut: out }), error: RangeError, message: /topK: k must be an integer in \[1, 3\] \(cols\), got 0/ },
  { name: 'topK: k above cols', call: (a, out) => a.topK(x6(), 4, { cols: 3, valuesOut: out }), error: RangeError, message: /topK: k must be an integer in \[1, 3\]/ },
  { name: 'topK: k a string', call: (a, out) => a.topK(x6(), '2' as never, { cols: 3, valuesOut: out }), error: TypeError, message: /topK: k must be an integer in \[1, 3\], got "2"/ },
  { name: 'topK: valuesOut overlapping x', call: (a) => { const b = new Float32Array(8).fill(SENTINEL); b.set([1, 2, 3, 4, 5, 6]); return a.topK(b.subarray(0, 6), 2, { cols: 3, valuesOut: b.subarray(4, 8) }); }, error: RangeError, message: /topK: valuesOut overlaps an input/ },
  { name: 'topK: indicesOut over x', call: (a, out) => a.topK(out, 1, { cols: 3, indicesOut: new Int32Array(out.buffer, 0, 2) }), error: RangeError, message: /topK: indicesOut overlaps an input/ },
  { name: 'topK: probabilities 1', call: (a, out) => a.topK(x6(), 1, { cols: 3, probabilities: 1 as never, valuesOut: out }), error: TypeError, message: /topK: probabilities must be a boolean, got 1/ },
  { name: 'score: label out of range', call: (a) => a.score(x6(), { cols: 3, labels: [0, 3] }), error: RangeError, message: /score: labels\[1\] must be in \[0, 3\), got 3/ },
  { name: 'score: label -100 (no ignoreIndex here)', call: (a) => a.score(x6(), { cols: 3, labels: [0, -100] }), error: RangeError, message: /score: labels\[1\] must be in \[0, 3\), got -100/ },
  { name: 'score: labels of a float type', call: (a) => a.score(x6(), { cols: 3, labels: new Float32Array(2) as never }), error: TypeError, message: /score: labels must be class indices/ },
  { name: 'score: labels too few', call: (a) => a.score(x6(), { cols: 3, labels: [0] }), error: RangeError, message: /score: labels.length \(1\) must equal the number of rows \(2\)/ },
  { name: 'score: topK 1.5', call: (a) => a.score(x6(), { cols: 3, topK: 1.5 }), error: RangeError, message: /score: topK must be an integer in \[1, 3\]/ },
  { name: 'score: threads -1', call: (a) => a.score(x6(), { cols: 3, threads: -1 }), error: RangeError, message: /score: threads must be an integer in \[1, 1024\], got -1/ },
];

describe.each(apis)('%s rejects bad input before writing anything', (_name, api) => {
  it.each(bad.map((b) => [b.name, b] as const))('%s', (_n, b) => {
    const out = f32(b.outLength ?? 6);
    let thrown: unknown;
    try {
      b.call(api, out);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(b.error);
    expect((thrown as Error).message).toMatch(b.message);
    expect(Array.from(out).every((v) => v === SENTINEL), 'out untouched').toBe(true);
  });
});

// The addon checks again and never reads or writes out of bounds, whatever JS passes it. It is
// built in every test run (npm install builds it), also when SOFTMAX_SIMD_BACKEND=js.
describe('the native binding called directly', () => {
  const addon = createRequire(import.meta.url)('node-gyp-build')(new URL('..', import.meta.url).pathname);
  const x = x6();
  const cases: [string, () => unknown, typeof TypeError | typeof RangeError][] = [
    ['x not a typed array', () => addon.softmaxRows([1, 2], f32(2), 2, 1, false), TypeError],
    ['out too short', () => addon.softmaxRows(x, f32(5), 3, 1, false), RangeError],
    ['out of the other type', () => addon.logSoftmaxRows(x, new Float64Array(6), 3, 1, false), TypeError],
    ['cols 0', () => addon.logSumExpRows(x, f32(2), 0), RangeError],
    ['cols not dividing', () => addon.logSumExpRows(x, f32(2), 4), RangeError],
    ['cols missing', () => addon.logSumExpRows(x, f32(2)), TypeError],
    ['temperature 0', () => addon.softmaxRows(x, f32(6), 3, 0, false), RangeError],
    ['out overlapping x', () => addon.softmaxRows(x.subarray(0, 3), x.subarray(2, 5), 3, 1, false), RangeError],
    ['label out of range', () => addon.crossEntropyRows(x, 3, new Int32Array([0, 3]), -100, null, 0, 1, null, null, 1, null), RangeError],
    ['labels too few', () => addon.crossEntropyRows(x, 3, new Int32Array([0]), -100, null, 0, 1, null, null, 1, null), RangeError],
    ['labels of another int type', () => addon.crossEntropyRows(x, 3, new Uint8Array([0, 1]), -100, null, 0, 1, null, null, 1, null), TypeError],
    ['weight too short', () => addon.crossEntropyRows(x, 3, new Int32Array([0, 1]), -100, f32(2), 0, 1, null, null, 1, null), RangeError],
    ['gradOut too short', () => addon.crossEntropyRows(x, 3, new Int32Array([0, 1]), -100, null, 0, 1, null, f32(5), 1, null), RangeError],
    ['lossOut too long', () => addon.crossEntropyRows(x, 3, new Int32Array([0, 1]), -100, null, 0, 1, f32(3), null, 1, null), RangeError],
    ['labelSmoothing 2', () => addon.crossEntropyRows(x, 3, new Int32Array([0, 1]), -100, null, 2, 1, null, null, 1, null), RangeError],
    ['gradOut holding the weights', () => { const g = f32(6); return addon.crossEntropyRows(x, 3, new Int32Array([0, 1]), -100, g.subarray(0, 3), 0, 1, null, g, 1, null); }, RangeError],
    ['gradOut over the labels', () => { const g = f32(6); return addon.crossEntropyRows(x, 3, new Int32Array(g.buffer, 0, 2), -100, null, 0, 1, null, g, 1, null); }, RangeError],
    ['lossOut overlapping gradOut', () => { const b = f32(8); return addon.crossEntropyRows(x, 3, new Int32Array([0, 1]), -100, null, 0, 1, b.subarray(0, 2), b.subarray(1, 7), 1, null); }, RangeError],
    ['ignoreIndex 2^40', () => addon.crossEntropyRows(x, 3, new Int32Array([0, 1]), 2 ** 40, null, 0, 1, null, null, 1, null), RangeError],
    ['sigmoid out too short', () => addon.sigmoid(x, f32(5)), RangeError],
    ['logSigmoid out overlapping x', () => addon.logSigmoid(x.subarray(0, 3), x.subarray(1, 4)), RangeError],
    ['backward dy too short', () => addon.softmaxBackwardRows(x, f32(5), f32(6), 3), RangeError],
    ['backward out overlapping dy', () => { const d = f32(8); return addon.logSoftmaxBackwardRows(x, d.subarray(0, 6), d.subarray(2, 8), 3); }, RangeError],
    ['BCE weight of neither length', () => addon.binaryCrossEntropyRows(x, x, 3, f32(2), null, null, null, 1, null), RangeError],
    ['BCE posWeight too short', () => addon.binaryCrossEntropyRows(x, x, 3, null, f32(2), null, null, 1, null), RangeError],
    ['BCE lossOut overlapping gradOut', () => { const o = f32(7); return addon.binaryCrossEntropyRows(x, x, 3, null, null, o.subarray(0, 6), o.subarray(1, 7), 1, null); }, RangeError],
    ['information measure 3', () => addon.informationRows(3, x, null, f32(2), 3, false, 1, 1e-3), RangeError],
    ['entropy given q', () => addon.informationRows(0, x, x, f32(2), 3, false, 1, 1e-3), TypeError],
    ['KL without q', () => addon.informationRows(2, x, null, f32(2), 3, false, 1, 1e-3), TypeError],
    ['information out too long', () => addon.informationRows(0, x, null, f32(3), 3, false, 1, 1e-3), RangeError],
    ['regression kind 5', () => addon.regression(5, x, x, 1, null, null, 1, null), RangeError],
    ['huber delta 0', () => addon.regression(3, x, x, 0, null, null, 1, null), RangeError],
    ['regression target too short', () => addon.regression(0, x, f32(5), 1, null, null, 1, null), RangeError],
    ['threads 0', () => addon.softmaxRows(x, f32(6), 3, 1, false, 0), RangeError],
    ['threads 2^31', () => addon.logSumExpRows(x, f32(2), 3, 2 ** 31), RangeError],
    ['async threads 0', () => addon.logSumExpRows(x, f32(2), 3, new Int32Array([0, 0])), RangeError],
    ['control not an Int32Array', () => addon.logSumExpRows(x, f32(2), 3, new Float32Array(2)), TypeError],
    ['control without threads', () => addon.logSumExpRows(x, f32(2), 3, new Int32Array(1)), TypeError],
    ['score label out of range', () => addon.scoreRows(x, 3, new Int32Array([0, 3]), null, null, null, null, 0, true, null, null, 1), RangeError],
    ['score predictions a Float32Array', () => addon.scoreRows(x, 3, null, f32(2), null, null, null, 0, true, null, null, 1), TypeError],
    ['score k above cols', () => addon.scoreRows(x, 3, null, null, null, null, null, 4, true, new Int32Array(8), f32(8), 1), RangeError],
    ['score topIndices too short', () => addon.scoreRows(x, 3, null, null, null, null, null, 2, true, new Int32Array(3), f32(4), 1), RangeError],
    ['score topValues missing', () => addon.scoreRows(x, 3, null, null, null, null, null, 2, true, new Int32Array(4), null, 1), TypeError],
    ['score nll without labels', () => addon.scoreRows(x, 3, null, null, null, null, f32(2), 0, true, null, null, 1), TypeError],
    ['score confidence over the logits', () => addon.scoreRows(x, 3, null, null, x.subarray(0, 2), null, null, 0, true, null, null, 1), RangeError],
    ['score topValues overlapping confidence', () => { const b = f32(6); return addon.scoreRows(x, 3, null, null, b.subarray(0, 2), null, null, 2, true, new Int32Array(4), b.subarray(1, 5), 1); }, RangeError],
    ['regression gradOut overlapping target', () => { const b = f32(7); return addon.regression(2, x, b.subarray(0, 6), 1, null, b.subarray(1, 7), 1, null); }, RangeError],
  ];
  it.each(cases)('%s', (_n, call, error) => {
    expect(call).toThrow(error);
  });
});
