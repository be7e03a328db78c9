// A CommonJS TypeScript consumer (run.js: tsc --noEmit): require() of the ESM package is typed.
import ssm = require('softmax-simd');

const p: Float64Array = ssm.softmax(new Float64Array([2, 3, 4]));
export = p;
