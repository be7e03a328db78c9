// Hostile inputs (issue 8): arrays that are not what they seem, buffers in odd states, numbers at
// the edges of the integer types, options that fight back. Each bad one is a TypeError or
// RangeError naming the argument, with nothing written; the odd but valid ones give the right
// answer. Run on every backend, as every suite is. Async transfers are in async.test.ts.
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { apis } from './helpers/apis.js';
import { type Bad, SENTINEL, f32, rejectsBeforeWriting, x6 } from './helpers/bad-input.js';

/** A Float32Array whose buffer has been transferred away (structuredClone detaches it). */
function detached<T extends ArrayBufferView>(view: T): T {
  structuredClone(view.buffer, { transfer: [view.buffer as ArrayBuffer] });
  return view;
}

/** ES2024's resizable ArrayBuffer (this project's TypeScript lib is ES2022). */
const Resizable = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer & { resize(length: number): void };

const bad: Bad[] = [
  // Arrays that are not what they seem.
  { name: 'x a Proxy of a Float32Array', call: (a, out) => a.softmax(new Proxy(x6(), {}), { out }), error: TypeError, message: /softmax: x must be a Float32Array or Float64Array, got an object posing as a Float32Array \(a Proxy\?\)/ },
  { name: 'out a Proxy of a Float32Array', call: (a) => a.softmax(x6(), { out: new Proxy(f32(6), {}) }), error: TypeError, message: /softmax: out must be a Float32Array like the input, got an object posing as a Float32Array/ },
  { name: 'x made with Object.create(Float32Array.prototype)', call: (a, out) => a.logSoftmax(Object.create(Float32Array.prototype), { out }), error: TypeError, message: /logSoftmax: x must be .* posing as a Float32Array/ },
  { name: 'x a DataView', call: (a, out) => a.softmax(new DataView(new ArrayBuffer(24)) as never, { out }), error: TypeError, message: /softmax: x must be a Float32Array or Float64Array, got DataView/ },
  { name: 'x a plain object with a length', call: (a, out) => a.softmax({ length: 6, 0: 1 } as never, { out }), error: TypeError, message: /softmax: x must be .* got an object/ },
  { name: 'labels a Proxy of an Int32Array', call: (a) => a.crossEntropy(x6(), new Proxy(new Int32Array(2), {}) as never, { cols: 3 }), error: TypeError, message: /crossEntropy: target must be class indices.*posing as a Int32Array/ },
  { name: 'argmax: out a Proxy of an Int32Array', call: (a) => a.argmax(x6(), { cols: 3, out: new Proxy(new Int32Array(2), {}) }), error: TypeError, message: /argmax: out must be an Int32Array, got an object posing as a Int32Array/ },
  // Buffers in odd states.
  { name: 'x on a detached buffer', call: (a, out) => a.softmax(detached(x6()), { out }), error: TypeError, message: /softmax: x is on a detached ArrayBuffer \(it was transferred\)/ },
  { name: 'x on a detached buffer, with cols', call: (a, out) => a.softmax(detached(x6()), { cols: 3, out }), error: TypeError, message: /softmax: x is on a detached ArrayBuffer/ },
  { name: 'out on a detached buffer', call: (a) => a.softmax(x6(), { out: detached(f32(6)) }), error: TypeError, message: /softmax: out is on a detached ArrayBuffer/ },
  { name: 'gradOut on a detached buffer', call: (a) => a.crossEntropyWithGrad(x6(), [0, 1], { cols: 3, gradOut: detached(f32(6)) }), error: TypeError, message: /crossEntropyWithGrad: gradOut is on a detached ArrayBuffer/ },
  { name: 'labels on a detached buffer', call: (a) => a.crossEntropy(x6(), detached(new Int32Array(2)), { cols: 3 }), error: TypeError, message: /crossEntropy: target is on a detached ArrayBuffer/ },
  { name: 'soft targets on a detached buffer', call: (a) => a.crossEntropy(x6(), detached(f32(6)), { cols: 3 }), error: TypeError, message: /crossEntropy: target is on a detached ArrayBuffer/ },
  { name: 'sigmoidBackward: dy on a detached buffer', call: (a, out) => a.sigmoidBackward(x6(), detached(f32(6)), { out }), error: TypeError, message: /sigmoidBackward: dy is on a detached ArrayBuffer/ },
  { name: 'argmax: out on a detached buffer', call: (a) => a.argmax(x6(), { cols: 3, out: detached(new Int32Array(2)) }), error: TypeError, message: /argmax: out is on a detached ArrayBuffer/ },
  // Sizes at the edges.
  { name: 'cols 2^31', call: (a, out) => a.softmax(x6(), { cols: 2 ** 31, out }), error: RangeError, message: /softmax: x.length \(6\) must be a multiple of cols \(2147483648\)/ },
  { name: 'cols 2^53', call: (a, out) => a.logSumExp(x6(), { cols: 2 ** 53, out }), error: RangeError, message: /logSumExp: cols must be a positive integer, got 9007199254740992/ },
  { name: 'cols -0', call: (a, out) => a.softmax(x6(), { cols: -0, out }), error: RangeError, message: /softmax: cols must be a positive integer, got -0/ },
  { name: 'topK: k 2^40', call: (a, out) => a.topK(x6(), 2 ** 40, { cols: 3, valuesOut: out }), error: RangeError, message: /topK: k must be an integer in \[1, 3\] \(cols\), got 1099511627776/ },
  // Labels at the edges of the integer types.
  { name: 'labels a Float64Array of fractions', call: (a) => a.crossEntropy(x6(), new Float64Array([0.5, 1]) as never, { cols: 3 }), error: TypeError, message: /crossEntropy: target must be class indices, or soft targets as a Float32Array like the logits, got Float64Array\(2\)/ },
  { name: 'labels [0.5, 1]', call: (a) => a.crossEntropy(x6(), [0.5, 1], { cols: 3 }), error: RangeError, message: /crossEntropy: target\[0\] must be an integer class index, got 0.5/ },
  { name: 'labels [NaN, 1]', call: (a) => a.nllLoss(x6(), [NaN, 1], { cols: 3 }), error: RangeError, message: /nllLoss: target\[0\] must be an integer class index, got NaN/ },
  { name: 'labels [2^31, 1]', call: (a) => a.crossEntropy(x6(), [2 ** 31, 1], { cols: 3 }), error: RangeError, message: /crossEntropy: target\[0\] must be in \[0, 3\) or ignoreIndex \(-100\), got 2147483648/ },
  { name: 'labels [Infinity, 1]', call: (a) => a.score(x6(), { cols: 3, labels: [Infinity, 1] }), error: RangeError, message: /score: labels\[0\] must be an integer class index, got Infinity/ },
  { name: 'labels BigInt64Array [2^62, 1]', call: (a) => a.crossEntropy(x6(), new BigInt64Array([2n ** 62n, 1n]), { cols: 3 }), error: RangeError, message: /crossEntropy: target\[0\] must be in \[0, 3\) or ignoreIndex \(-100\), got 4611686018427387904n/ },
  { name: 'labels BigUint64Array [2^64 - 1, 1]', call: (a) => a.score(x6(), { cols: 3, labels: new BigUint64Array([2n ** 64n - 1n, 1n]) }), error: RangeError, message: /score: labels\[0\] must be in \[0, 3\), got 18446744073709551615n/ },
  { name: "labels ['1', 0]", call: (a) => a.crossEntropy(x6(), ['1', 0] as never, { cols: 3 }), error: TypeError, message: /crossEntropy: target\[0\] must be an integer class index, got "1"/ },
  // null and undefined where an array or an object belongs.
  { name: 'x undefined', call: (a, out) => a.softmax(undefined as never, { out }), error: TypeError, message: /softmax: x must be a Float32Array or Float64Array, got undefined/ },
  { name: 'out null', call: (a) => a.softmax(x6(), { out: null as never }), error: TypeError, message: /softmax: out must be a Float32Array like the input, got null/ },
  { name: 'cols null', call: (a, out) => a.softmax(x6(), { cols: null as never, out }), error: TypeError, message: /softmax: cols must be a positive integer, got null/ },
  { name: 'options null', call: (a) => a.crossEntropyWithGrad(x6(), [0, 1], null as never), error: TypeError, message: /crossEntropyWithGrad: options must be a plain object \(\{ ... \}\), got null/ },
  { name: 'target null', call: (a) => a.crossEntropy(x6(), null as never, { cols: 3 }), error: TypeError, message: /crossEntropy: target must be class indices .* got null/ },
  { name: 'q undefined', call: (a, out) => a.klDivergence(x6(), undefined as never, { cols: 3, out: out.subarray(0, 2) }), error: TypeError, message: /klDivergence: q must be a Float32Array like p, got undefined/ },
  { name: 'score: labels null', call: (a) => a.score(x6(), { cols: 3, labels: null as never }), error: TypeError, message: /score: labels must be class indices .* got null/ },
];

rejectsBeforeWriting(bad);

describe.each(apis)('%s with odd but valid input', (_name, api) => {
  const want = [0.09003057317038046, 0.24472847105479764, 0.6652409557748218];
  const close = (got: ArrayLike<number>) => Array.from(got).forEach((v, i) => expect(v).toBeCloseTo(want[i % 3], 6));

  it('takes typed arrays from another realm (a vm context, as in Jest) and answers in their type', () => {
    const x = runInNewContext('new Float32Array([2, 3, 4, 2, 3, 4])') as Float32Array;
    const out = runInNewContext('new Float32Array(6)') as Float32Array;
    expect(api.softmax(x, { cols: 3, out })).toBe(out);
    close(out);
    const labels = runInNewContext('new Int32Array([2, 2])') as Int32Array;
    expect(api.crossEntropy(x, labels, { cols: 3 })).toBeCloseTo(-Math.log(want[2]), 6);
    expect(api.entropy(runInNewContext('new Float64Array([0.5, 0.5])') as Float64Array)[0]).toBeCloseTo(Math.LN2, 14);
  });

  it('takes SharedArrayBuffer-backed arrays (allowed: the caller keeps other threads off them during a call)', () => {
    const x = new Float32Array(new SharedArrayBuffer(24));
    x.set([2, 3, 4, 2, 3, 4]);
    const out = new Float32Array(new SharedArrayBuffer(24));
    api.softmax(x, { cols: 3, out });
    close(out);
  });

  it('takes arrays on resizable buffers, at their length at the time of the call', () => {
    const buffer = new Resizable(12, { maxByteLength: 48 });
    const x = new Float32Array(buffer); // tracks the buffer's length
    x.set([2, 3, 4]);
    close(api.softmax(x));
    buffer.resize(24);
    x.set([2, 3, 4], 3);
    close(api.softmax(x, { cols: 3 }));
    expect(x.length).toBe(6);
  });

  it('reads frozen label arrays, BigInt64Array labels and -0 as class 0', () => {
    const x = new Float32Array([2, 3, 4, 2, 3, 4]);
    const frozen = Object.freeze([2, 0]);
    const nll = -Math.log(want[2]) - Math.log(want[0]);
    expect(api.crossEntropy(x, frozen, { cols: 3, reduction: 'sum' })).toBeCloseTo(nll, 5);
    expect(api.crossEntropy(x, new BigInt64Array([2n, 0n]), { cols: 3, reduction: 'sum' })).toBeCloseTo(nll, 5);
    expect(api.crossEntropy(x, [2, -0], { cols: 3, reduction: 'sum' })).toBeCloseTo(nll, 5);
  });

  it("lets an option getter's own error through, with nothing written", () => {
    const out = f32(6);
    const options = { out, get cols(): number { throw new Error('cols getter'); } };
    expect(() => api.softmax(x6(), options)).toThrow('cols getter');
    const keys = new Proxy({}, { ownKeys() { throw new Error('ownKeys trap'); } });
    expect(() => api.softmax(x6(), keys)).toThrow('ownKeys trap');
    expect(Array.from(out).every((v) => v === SENTINEL)).toBe(true);
  });
});
