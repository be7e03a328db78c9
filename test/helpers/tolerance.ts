// DESIGN.md's accuracy contract as assertions. Each check names the first element out of bounds.
import { expect } from 'vitest';
import type { FloatArray } from '../../lib/types.js';

const F32_UNIT = 2 ** -23; // rounding x − m to float32, relative per unit of |x − m| / T

export const isF32 = (a: FloatArray) => a instanceof Float32Array;

/** DESIGN.md's unit bound: 1e-6 for float32, 1e-12 for float64 (relative, or absolute per max(1, |ref|)). */
export const eps = (f32: boolean) => (f32 ? 1e-6 : 1e-12);

/** Relative bound on a probability-like value whose exponent argument was |x − m| / T = arg. */
export function probBound(f32: boolean, arg: number): number {
  return f32 ? eps(true) + F32_UNIT * arg : eps(false);
}

/** Bound on a log-value or loss. */
export function logBound(f32: boolean, ref: number): number {
  return eps(f32) * Math.max(1, Math.abs(ref));
}

/** Special values exactly; finite values within `bound(i)` (in float32, after rounding the reference). */
export function expectClose(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  bound: (i: number) => number,
  what: string,
  f32 = false,
): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = f32 ? Math.fround(want[i]) : want[i];
    const g = got[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : !Number.isFinite(w) ? g === w : Math.abs(g - w) <= bound(i);
    if (!ok) expect.fail(`${what}[${i}]: got ${g}, want ${want[i]} (bound ${bound(i)})`);
  }
}

/** Probabilities: the relative bound above 1e-30; below it, the absolute error that bound allows at 1e-30. */
export function expectProbs(got: FloatArray, want: ArrayLike<number>, args: ArrayLike<number>, what: string): void {
  const f32 = isF32(got);
  expectClose(got, want, (i) => probBound(f32, args[i]) * Math.max(want[i], 1e-30), what, f32);
}

export function expectLogs(got: FloatArray, want: ArrayLike<number>, what: string): void {
  const f32 = isF32(got);
  expectClose(got, want, (i) => logBound(f32, want[i]), what, f32);
}

/** A reduced loss (a number) computed from arrays of the given precision. */
export function expectLoss(got: number, want: number, f32: boolean, what: string): void {
  expectClose([got], [want], () => logBound(f32, want), what);
}
