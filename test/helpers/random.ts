// Deterministic inputs: a seeded generator (mulberry32) so a failing case can be replayed.
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;

/** n values uniform in [lo, hi) of the given type (never all zeros). */
export function uniform<C extends FloatCtor>(type: C, n: number, next: () => number, lo = -8, hi = 8): InstanceType<C> {
  const a = new type(n) as InstanceType<C>;
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * next();
  return a;
}

/** rows labels in [0, cols). */
export function labels(rows: number, cols: number, next: () => number): Int32Array {
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) y[i] = Math.floor(next() * cols);
  return y;
}
