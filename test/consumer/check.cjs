// A CommonJS consumer (see run.js): require() of the ESM package (Node >= 20.19) must give the
// very functions import() gives, and they must work. Prints one JSON line: { exports, failures }.
const required = require('softmax-simd');
const requiredJs = require('softmax-simd/js');

import('softmax-simd').then((imported) => {
  const failures = [];
  const names = Object.keys(imported).sort();
  if (Object.keys(required).sort().join() !== names.join()) failures.push('require() and import() export different names');
  for (const name of names) if (required[name] !== imported[name]) failures.push(`${name}: require() and import() differ`);
  const p = required.softmax(new Float64Array([2, 3, 4]));
  if (Math.abs(p[2] - 0.665240955775) > 1e-12) failures.push(`softmax([2, 3, 4])[2] = ${p[2]}`);
  if (typeof requiredJs.softmax !== 'function' || requiredJs.backend.isa !== 'js') failures.push('softmax-simd/js');
  console.log(JSON.stringify({ exports: names.length, failures }));
});
