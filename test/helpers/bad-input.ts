// The shape of the bad-input tests (validation.test.ts, hostile.test.ts): each case makes one bad
// call, on every API (the package root and softmax-simd/js), with an `out` filled with SENTINEL,
// and must raise its error with nothing written.
import { describe, expect, it } from 'vitest';
import { type Api, apis } from './apis.js';

export const SENTINEL = 42;
export const f32 = (n: number) => new Float32Array(n).fill(SENTINEL);
export const x6 = () => new Float32Array([1, 2, 3, 4, 5, 6]);

/** One bad call: what it does to a fresh `out` (filled with SENTINEL), and the error it must raise. */
export interface Bad {
  name: string;
  call: (api: Api, out: Float32Array) => unknown;
  error: typeof TypeError | typeof RangeError;
  message: RegExp;
  outLength?: number;
}

export function rejectsBeforeWriting(cases: readonly Bad[]): void {
  describe.each(apis)('%s rejects bad input before writing anything', (_name, api) => {
    it.each(cases.map((b) => [b.name, b] as const))('%s', (_n, b) => {
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
}
