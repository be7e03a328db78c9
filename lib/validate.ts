// Argument checks shared by every entry point and both backends, so the native and pure-TS paths
// reject exactly the same inputs with the same messages, before anything is written.
import type { AllMasked, FloatArray, IntegerArray, Reduction } from './types.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

const typedArrayPrototypes = new Map<unknown, string>(
  [Float32Array, Float64Array, Int8Array, Int16Array, Int32Array, Uint8Array, Uint16Array, Uint32Array, BigInt64Array, BigUint64Array]
    .map((type) => [type.prototype, type.name]),
);

/** A short, readable description of any value for an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value)) {
    const length = (value as { length?: number }).length;
    return `${value.constructor.name}${length === undefined ? '' : `(${length})`}`;
  }
  if (Array.isArray(value)) return `Array(${value.length})`;
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'object': {
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto === Object.prototype) return 'an object';
      // A typed array's prototype without being one: a Proxy of one, or Object.create(...).
      const posing = typedArrayPrototypes.get(proto);
      return posing ? `an object posing as a ${posing} (a Proxy?)` : Object.prototype.toString.call(value);
    }
    default:
      return typeof value;
  }
}

function typeError(fn: string, what: string, expected: string, got: unknown): TypeError {
  return new TypeError(`${fn}: ${what} must be ${expected}, got ${describe(got)}`);
}

function rangeError(fn: string, what: string, expected: string, got: unknown): RangeError {
  return new RangeError(`${fn}: ${what} must be ${expected}, got ${describe(got)}`);
}

/**
 * The type name of a typed array from any realm (a vm context, Jest's environment), else
 * undefined: for a Proxy of one too. `instanceof` would reject the first and pass the second.
 */
const typedArrayName = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int8Array.prototype), Symbol.toStringTag)!
  .get as (this: unknown) => string | undefined;

export function arrayType(value: unknown): string | undefined {
  return typedArrayName.call(value);
}

export function isFloatArray(v: unknown): v is FloatArray {
  const name = typedArrayName.call(v);
  return name === 'Float32Array' || name === 'Float64Array';
}

/** Whether two typed arrays have the same element type (whatever their realms); then `a` is typed as `b`. */
function sameType<T extends ArrayBufferView>(a: ArrayBufferView, b: T): a is T {
  return typedArrayName.call(a) === typedArrayName.call(b);
}

/** A transferred ArrayBuffer has no bytes and can no longer be viewed (Node 20 lacks `.detached`). */
export function isDetached(view: ArrayBufferView): boolean {
  if (view.byteLength !== 0 || view.buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(view.buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** Throws when an array's buffer was detached: a clearer message than the length it now has (0). */
function attached<T extends ArrayBufferView>(fn: string, name: string, view: T): T {
  if (isDetached(view)) throw new TypeError(`${fn}: ${name} is on a detached ArrayBuffer (it was transferred)`);
  return view;
}

const NO_OPTIONS = Object.freeze({});

/**
 * The options object: undefined or a plain object whose keys are all known. It is returned as it
 * is (no copy: small calls feel every allocation); callers read each option once, so a getter
 * cannot change a value between its check and its use.
 */
/** An output that shares bytes with an input the call reads again after writing it: never allowed, not even in place. */
function overlapError(fn: string, name: string, same: boolean): RangeError {
  const what = same ? 'cannot be that input itself' : 'overlaps an input';
  return new RangeError(`${fn}: ${name} ${what}: the input is still read while ${name} is written, so pass a separate array`);
}

/** A plain object: an object literal or Object.create(null), from any realm (not a Map, not a class instance). */
function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  // An object literal of this realm (every call's options): no need for the slower test below.
  if (proto === Object.prototype && !(Symbol.toStringTag in value)) return true;
  if (Object.prototype.toString.call(value) !== '[object Object]') return false;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

export function options<K extends string>(
  fn: string,
  value: unknown,
  known: readonly K[],
): Partial<Record<K, unknown>> {
  if (value === undefined) return NO_OPTIONS;
  // A Map or a class instance would have its fields silently ignored (for…in sees neither).
  if (value === null || typeof value !== 'object' || !isPlainObject(value)) {
    throw typeError(fn, 'options', 'a plain object ({ ... })', value);
  }
  for (const key in value) {
    if (!(known as readonly string[]).includes(key)) {
      throw new TypeError(`${fn}: unknown option "${key}" (known: ${known.join(', ')})`);
    }
  }
  return value as Partial<Record<K, unknown>>;
}

/** `value`, checked to be a float array; an argument typed `T` by the public signature stays `T`. */
export function floatArray<V>(fn: string, name: string, value: V): V & FloatArray {
  if (!isFloatArray(value)) throw typeError(fn, name, 'a Float32Array or Float64Array', value);
  return attached(fn, name, value);
}

/**
 * A new array of `like`'s type. Results have the input's array type (`<T extends FloatArray>(x: T)
 * => T`): that holds at run time because the result is built by the input's own constructor, but
 * the compiler cannot see it through `like.constructor` (typed `Function`), so this is the one cast
 * for it. Every function that allocates a result of the input's type comes here (or to `outArray`,
 * which checks a given `out` with `sameType`). The other cast behind the public signatures is
 * `byReduction` (reduce.ts).
 */
export function newLike<T extends FloatArray>(like: T, length: number): T {
  return new (like.constructor as new (n: number) => T)(length);
}

/** rows and cols of a row-major array; `cols` defaults to the whole array as one row. */
export function shape(fn: string, name: string, x: FloatArray, cols: unknown): { rows: number; cols: number } {
  if (cols === undefined) {
    if (x.length === 0) {
      throw new RangeError(`${fn}: ${name} is empty; pass cols to describe an empty batch`);
    }
    return { rows: 1, cols: x.length };
  }
  if (typeof cols !== 'number') throw typeError(fn, 'cols', 'a positive integer', cols);
  if (!Number.isSafeInteger(cols) || cols < 1) throw rangeError(fn, 'cols', 'a positive integer', cols);
  if (x.length % cols !== 0) {
    throw new RangeError(`${fn}: ${name}.length (${x.length}) must be a multiple of cols (${cols})`);
  }
  return { rows: x.length / cols, cols };
}

/** True when the two byte ranges of one buffer share a byte. */
function bytesOverlap(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/** What the kernel reads: arrays an output may be exactly (`alias`), and arrays it must not touch. */
export interface Reads {
  alias: readonly ArrayBufferView[];
  disjoint?: readonly ArrayBufferView[];
}

/**
 * An output array of `like`'s type and the given length: the caller's (checked) or a new one.
 * It may be one of `reads.alias` (default: `like`) exactly (in place), never part of one, and
 * shares no byte with `reads.disjoint` (weights and scales are read again for every row).
 */
export function outArray<T extends FloatArray>(
  fn: string,
  name: string,
  value: unknown,
  like: T,
  length: number,
  reads?: Reads,
): T {
  if (value === undefined) return newLike(like, length);
  if (!isFloatArray(value) || !sameType(value, like)) {
    throw typeError(fn, name, `a ${arrayType(like)} like the input`, value);
  }
  if (value.length !== length) throw rangeError(fn, `${name}.length`, String(length), attached(fn, name, value).length);
  // `.buffer` is read once per array: it is a slow getter, and small calls feel it (so do closures
  // and array methods here: plain loops).
  const buffer = value.buffer;
  const alias = reads === undefined ? null : reads.alias;
  for (let i = 0, n = alias === null ? 1 : alias.length; i < n; i++) {
    const input = alias === null ? like : alias[i];
    if (input !== value && input.buffer === buffer && bytesOverlap(value, input) && !sameRegion(input, value)) {
      throw new RangeError(`${fn}: ${name} overlaps an input without being the same array (in place means the very same array)`);
    }
  }
  const disjoint = reads?.disjoint ?? [];
  for (let i = 0; i < disjoint.length; i++) {
    if (disjoint[i].buffer === buffer && bytesOverlap(value, disjoint[i])) throw overlapError(fn, name, sameRegion(disjoint[i], value));
  }
  return value;
}

/** Whether two views of one buffer cover the same bytes. */
function sameRegion(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.byteOffset === b.byteOffset && a.byteLength === b.byteLength;
}

export function temperature(fn: string, value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value !== 'number') throw typeError(fn, 'temperature', 'a number', value);
  // 1/T must be finite too (T ≥ 2^-1024·(1 + 2^-50), about 5.6e-309): every path scales by it.
  if (!(value > 0) || !Number.isFinite(value) || !Number.isFinite(1 / value)) {
    throw rangeError(fn, 'temperature', 'finite and ≥ 5.6e-309 (so that 1/temperature is finite)', value);
  }
  return value;
}

/** True for `'zero'`. */
export function allMaskedZero(fn: string, value: unknown): boolean {
  if (value === undefined || value === ('nan' satisfies AllMasked)) return false;
  if (value === ('zero' satisfies AllMasked)) return true;
  throw rangeError(fn, 'allMasked', `'nan' or 'zero'`, value);
}

export function reduction(fn: string, value: unknown): Reduction {
  if (value === undefined) return 'mean';
  if (value === 'none' || value === 'mean' || value === 'sum') return value;
  throw rangeError(fn, 'reduction', `'none', 'mean' or 'sum'`, value);
}

export function labelSmoothing(fn: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number') throw typeError(fn, 'labelSmoothing', 'a number', value);
  if (!(value >= 0 && value <= 1)) throw rangeError(fn, 'labelSmoothing', 'in [0, 1]', value);
  return value;
}

export function ignoreIndex(fn: string, value: unknown): number {
  if (value === undefined) return -100;
  if (typeof value !== 'number') throw typeError(fn, 'ignoreIndex', 'an integer', value);
  if (!Number.isSafeInteger(value)) throw rangeError(fn, 'ignoreIndex', 'a safe integer', value);
  return value;
}

const integerArrayTypes = new Set<string | undefined>([
  'Int32Array',
  'Int8Array',
  'Int16Array',
  'Uint8Array',
  'Uint16Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
]);

export function isIntegerArray(value: unknown): value is IntegerArray {
  return Array.isArray(value) || integerArrayTypes.has(typedArrayName.call(value));
}

/** Class-index targets as the kernels take them: int32 labels, and the int32 value marking ignored rows. */
export interface ClassTargets {
  labels: Int32Array;
  ignoreIndex: number;
}

/**
 * Checks that `target` is class indices (an integer array) and every label (an integer in
 * [0, cols) or `ignore`, unless that is null); returns them as an Int32Array: the caller's own
 * when it is one of this realm (the kernels tell labels from soft targets by `instanceof`), else a
 * copy, in which ignored rows hold −1 if `ignore` is not int32.
 */
export function classTargets(
  fn: string,
  name: string,
  target: unknown,
  rows: number,
  cols: number,
  ignore: number | null,
): ClassTargets {
  if (!isIntegerArray(target)) {
    throw new TypeError(`${fn}: ${name} must be class indices (an integer typed array or number[]), got ${describe(target)}`);
  }
  if (target.length !== rows) {
    if (!Array.isArray(target)) attached(fn, name, target as ArrayBufferView);
    throw new RangeError(`${fn}: ${name}.length (${target.length}) must equal the number of rows (${rows})`);
  }
  const ignore32 = ignore === null ? -1 : ignore >= INT32_MIN && ignore <= INT32_MAX ? ignore : -1;
  if (target instanceof Int32Array && (ignore === null || ignore32 === ignore)) {
    // The common case, the caller's own labels, in a loop of integer compares (the general one
    // below costs a quarter of crossEntropyWithGrad at 4096x10); a bad label takes that loop for
    // its message.
    let ok = true;
    for (let i = 0; i < rows; i++) {
      const v = target[i];
      ok = ok && (v === ignore || (v >= 0 && v < cols));
    }
    if (ok) return { labels: target, ignoreIndex: ignore32 };
  }
  const labels = target instanceof Int32Array && (ignore === null || ignore32 === ignore) ? target : new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const raw: unknown = target[i];
    const v = typeof raw === 'bigint' ? Number(raw) : raw;
    if (typeof v !== 'number') throw typeError(fn, `${name}[${i}]`, 'an integer class index', raw);
    if (v === ignore) {
      labels[i] = ignore32;
    } else if (!Number.isInteger(v)) {
      throw rangeError(fn, `${name}[${i}]`, 'an integer class index', raw);
    } else if (v < 0 || v >= cols || v > INT32_MAX) {
      throw rangeError(fn, `${name}[${i}]`, ignore === null ? `in [0, ${cols})` : `in [0, ${cols}) or ignoreIndex (${ignore})`, raw);
    } else {
      labels[i] = v;
    }
  }
  return { labels, ignoreIndex: ignore32 };
}

/**
 * Per-class weights of length `cols` (cross-entropy, NLL), finite in `like`'s type; null when
 * absent. An infinite one would make NaN or ±Inf depending on the order of the products (0·Inf),
 * which would differ between the kernels.
 */
export function weights(fn: string, value: unknown, cols: number, like: FloatArray): FloatArray | null {
  const w = weightsOf(fn, 'weight', value, [['cols', cols]], like);
  const bad = w ? w.findIndex((v) => !Number.isFinite(v)) : -1;
  if (w && bad >= 0) throw rangeError(fn, `weight[${bad}]`, `finite in ${arrayType(like)}`, w[bad]);
  return w;
}

/** `values` in `like`'s type (the same array when it already is); every entry a number. */
export function numbersLike(fn: string, name: string, values: FloatArray | readonly unknown[], like: FloatArray): FloatArray {
  if (!Array.isArray(values) && sameType(values as FloatArray, like)) return values as FloatArray;
  const result = newLike(like, values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') throw typeError(fn, `${name}[${i}]`, 'a number', v);
    result[i] = v;
  }
  return result;
}

/** Soft targets: probabilities of the logits' type and length. */
export function softTargets(fn: string, name: string, target: FloatArray, logits: FloatArray): FloatArray {
  if (!sameType(target, logits)) {
    throw typeError(fn, name, `class indices, or soft targets as a ${arrayType(logits)} like the logits`, target);
  }
  if (target.length !== logits.length) {
    throw rangeError(fn, `${name}.length`, `the logits' length (${logits.length})`, attached(fn, name, target).length);
  }
  return target;
}

/**
 * The upstream gradient: a number for any reduction, or one value per row with `'none'`.
 * Returns the scalar factor and the per-row factors (or null).
 */
export function gradOutput(
  fn: string,
  value: unknown,
  red: Reduction,
  rows: number,
  like: FloatArray,
  per: 'row' | 'element' = 'row',
): { scale: number; rowScale: FloatArray | null } {
  if (value === undefined) return { scale: 1, rowScale: null };
  if (typeof value === 'number') return { scale: value, rowScale: null };
  if (!isFloatArray(value) && !Array.isArray(value)) {
    throw typeError(fn, 'gradOutput', `a number, or one number per ${per}`, value);
  }
  if (red !== 'none') throw rangeError(fn, 'gradOutput', `a number with reduction '${red}'`, value);
  if (value.length !== rows) throw rangeError(fn, 'gradOutput.length', `${per === 'row' ? 'rows' : 'the number of elements'} (${rows})`, value.length);
  return { scale: 1, rowScale: numbersLike(fn, 'gradOutput', value, like) };
}

/** Where per-row losses go with reduction `'none'` (the caller's `out` or a new array); else null. */
export function lossOut<T extends FloatArray>(
  fn: string,
  red: Reduction,
  value: unknown,
  like: T,
  rows: number,
  reads: Reads,
): T | null {
  if (red === 'none') return outArray(fn, 'out', value, like, rows, reads);
  if (value !== undefined) throw new RangeError(`${fn}: out is only used with reduction 'none'`);
  return null;
}

/** A float array of `like`'s type and length (a second operand of an element-wise function). */
export function partner<T extends FloatArray>(fn: string, name: string, value: unknown, like: T, likeName: string): T {
  if (!isFloatArray(value) || !sameType(value, like)) {
    throw typeError(fn, name, `a ${arrayType(like)} like ${likeName}`, value);
  }
  if (value.length !== like.length) {
    throw rangeError(fn, `${name}.length`, `${likeName}.length (${like.length})`, attached(fn, name, value).length);
  }
  return value;
}

export function boolean(fn: string, name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw typeError(fn, name, 'a boolean', value);
  return value;
}

export function finite(fn: string, name: string, value: number): number {
  if (!Number.isFinite(value)) throw rangeError(fn, name, 'finite', value);
  return value;
}

/** A finite number ≥ `min` (> `min` unless `orEqual`), or `fallback` when absent. */
export function finiteAbove(fn: string, name: string, value: unknown, fallback: number, min: number, orEqual: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw typeError(fn, name, 'a number', value);
  const ok = Number.isFinite(value) && (orEqual ? value >= min : value > min);
  if (!ok) throw rangeError(fn, name, `finite and ${orEqual ? '≥' : '>'} ${min}`, value);
  return value;
}

/** The logarithm's base as the factor 1 / ln(base) on natural logarithms. */
export function logBase(fn: string, value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value !== 'number') throw typeError(fn, 'base', 'a number', value);
  if (!(value > 0) || !Number.isFinite(value) || value === 1) throw rangeError(fn, 'base', 'finite, > 0 and not 1', value);
  return 1 / Math.log(value);
}

/**
 * Weights whose length is one of `lengths` (named, e.g. per element or per class), in `like`'s
 * type; null when absent.
 */
export function weightsOf(
  fn: string,
  name: string,
  value: unknown,
  lengths: readonly (readonly [string, number])[],
  like: FloatArray,
): FloatArray | null {
  if (value === undefined || value === null) return null;
  if (!isFloatArray(value) && !Array.isArray(value)) {
    throw typeError(fn, name, 'a Float32Array, Float64Array or number[]', value);
  }
  if (!lengths.some(([, n]) => n === value.length)) {
    throw rangeError(fn, `${name}.length`, lengths.map(([label, n]) => `${label} (${n})`).join(' or '), value.length);
  }
  return numbersLike(fn, name, value, like);
}

/** An Int32Array output of the given length (the caller's, checked, or a new one), sharing no byte with `disjoint`. */
export function int32Out(fn: string, name: string, value: unknown, length: number, disjoint: readonly ArrayBufferView[]): Int32Array {
  if (value === undefined) return new Int32Array(length);
  if (arrayType(value) !== 'Int32Array') throw typeError(fn, name, 'an Int32Array', value);
  const out = value as Int32Array;
  if (out.length !== length) throw rangeError(fn, `${name}.length`, String(length), attached(fn, name, out).length);
  const buffer = out.buffer;
  const input = disjoint.find((a) => a.buffer === buffer && bytesOverlap(out, a));
  if (input) throw overlapError(fn, name, input.byteOffset === out.byteOffset && input.byteLength === out.byteLength);
  return out;
}

/** A count in [1, max]: k of top-k. */
export function count(fn: string, name: string, value: unknown, max: number): number {
  if (typeof value !== 'number') throw typeError(fn, name, `an integer in [1, ${max}]`, value);
  if (!Number.isInteger(value) || value < 1 || value > max) throw rangeError(fn, name, `an integer in [1, ${max}] (cols)`, value);
  return value;
}

/** The most threads one call may use. */
export const MAX_THREADS = 1024;

/** The threads option: an integer in [1, MAX_THREADS], or `fallback` when absent. */
export function threads(fn: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const expected = `an integer in [1, ${MAX_THREADS}]`;
  if (typeof value !== 'number') throw typeError(fn, 'threads', expected, value);
  if (!Number.isInteger(value) || value < 1 || value > MAX_THREADS) throw rangeError(fn, 'threads', expected, value);
  return value;
}

/** The signal option of an async function: an AbortSignal or undefined. */
export function signal(fn: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw typeError(fn, 'signal', 'an AbortSignal', value);
  return value;
}
