// What every suite runs over: both element types, and row shapes whose cols reach vector tails
// (1, 2, 3, 17), more than a block (4099) and 2^20 classes.
import type { FloatCtor } from './random.js';

export const dtypes: [string, FloatCtor][] = [
  ['f32', Float32Array],
  ['f64', Float64Array],
];

export const rowShapes: [number, number][] = [
  [7, 1],
  [5, 2],
  [9, 3],
  [6, 17],
  [3, 4099],
  [1, 2 ** 20],
];
