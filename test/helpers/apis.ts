// The suite runs against the package root (native unless SOFTMAX_SIMD_BACKEND=js) and the
// pure-TS build, side by side in one process.
import * as root from '../../lib/index.js';
import * as js from '../../lib/js.js';

export type Api = typeof js;

export const apis: [string, Api][] = [
  [`root (${root.backend.isa})`, root],
  ['js', js],
];

/** Fills an output before a call, so that any entry the call does not write shows. */
export function poison<A extends { fill(v: number): unknown }>(a: A, v = Number.NaN): A {
  a.fill(v);
  return a;
}
