import type { FloatArray, NativeIsa } from './types.js';

/** One fused cross-entropy call over validated inputs (see native/include/softmax_simd/kernels.h). */
export interface CrossEntropyCall {
  logits: FloatArray;
  cols: number;
  /** Class indices (one per row) or soft targets (the logits' type and length). */
  target: Int32Array | FloatArray;
  /** A 32-bit value that marks ignored rows in `target`. */
  ignoreIndex: number;
  weight: FloatArray | null;
  labelSmoothing: number;
  temperature: number;
  lossOut: FloatArray | null;
  gradOut: FloatArray | null;
  /** Factor on every gradient row. */
  gradScale: number;
  /** Extra factor per row, or null. */
  gradRowScale: FloatArray | null;
}

/**
 * The row kernels a backend provides: the native addon (through the loader) and the pure-TS
 * implementation. Arguments are already validated; each call covers a whole batch.
 */
export interface Kernels {
  readonly isa: NativeIsa | 'js';
  softmaxRows(x: FloatArray, out: FloatArray, cols: number, temperature: number, allMaskedZero: boolean): void;
  logSoftmaxRows(x: FloatArray, out: FloatArray, cols: number, temperature: number, allMaskedZero: boolean): void;
  logSumExpRows(x: FloatArray, out: FloatArray, cols: number): void;
  /** Writes the requested outputs and returns the sum of the row losses. */
  crossEntropyRows(call: CrossEntropyCall): number;
}

/**
 * Kernels that send inputs of at most `smallMax` elements to `small` (the pure-TS kernels) and
 * the rest to `big` (the addon): below that size, crossing into native costs more than the work.
 */
export function routeSmall(big: Kernels, small: Kernels, smallMax: number): Kernels {
  if (smallMax <= 0) return big;
  const pick = (length: number) => (length <= smallMax ? small : big);
  return {
    isa: big.isa,
    softmaxRows: (x, out, cols, t, zero) => pick(x.length).softmaxRows(x, out, cols, t, zero),
    logSoftmaxRows: (x, out, cols, t, zero) => pick(x.length).logSoftmaxRows(x, out, cols, t, zero),
    logSumExpRows: (x, out, cols) => pick(x.length).logSumExpRows(x, out, cols),
    crossEntropyRows: (call) => pick(call.logits.length).crossEntropyRows(call),
  };
}
