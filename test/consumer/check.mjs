// Runs inside a consumer project (see run.js) on the installed package, as a user would: the
// worked examples of DESIGN.md, then a batch large enough to reach the addon, against a float64
// reference and against softmax-simd/js. Prints one JSON line: { backend, exports, failures }.
import * as ssm from 'softmax-simd';
import * as js from 'softmax-simd/js';

const failures = [];

/** Every got[i] within tol of want[i], relative (absolute below 1). */
function close(what, got, want, tol) {
  const i = want.findIndex((w, i) => !(Math.abs(got[i] - w) <= tol * Math.max(1, Math.abs(w))));
  if (got.length !== want.length || i >= 0) failures.push(`${what}: [${i}] ${got[i]}, want ${want[i]}`);
}

function same(what, got, want) {
  const i = want.findIndex((w, i) => !Object.is(got[i], w));
  if (got.length !== want.length || i >= 0) failures.push(`${what}: [${i}] ${got[i]}, want ${want[i]} (bit for bit)`);
}

// Worked examples; this small, they take the pure-TS kernels even where the addon loaded.
close('softmax of [3, 1, -3] and [2, 3, 4]', ssm.softmax(new Float64Array([3, 1, -3, 2, 3, 4]), { cols: 3 }),
  [0.878878242732, 0.118943235911, 0.002178521357, 0.09003057317, 0.244728471055, 0.665240955775], 1e-12);
close('entropy, base 10', ssm.entropy(new Float64Array([0.6, 0.1, 0.1, 0.1, 0.1]), { base: 10 }), [0.5331092497698138], 1e-15);

// 64 rows of 1000 logits: the addon's kernels where it loaded.
const rows = 64, cols = 1000;
const x = Float64Array.from({ length: rows * cols }, (_, i) => 8 * Math.sin(i * 0.37) + (i % 7));
const labels = Int32Array.from({ length: rows }, (_, r) => (r * 37) % cols);
const p = new Float64Array(x.length);
const predictions = new Int32Array(rows);
let nll = 0;
for (let r = 0; r < rows; r++) {
  const row = x.subarray(r * cols, (r + 1) * cols);
  const max = Math.max(...row);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  for (let c = 0; c < cols; c++) p[r * cols + c] = Math.exp(row[c] - max) / sum;
  predictions[r] = row.indexOf(max);
  nll += max + Math.log(sum) - row[labels[r]];
}
close('softmax, float64', ssm.softmax(x, { cols }), p, 1e-13);
const x32 = Float32Array.from(x);
close('softmax, float32 (against softmax-simd/js)', ssm.softmax(x32, { cols }), js.softmax(x32, { cols }), 2e-6);
const { loss, grad } = ssm.crossEntropyWithGrad(x, labels, { cols });
close('crossEntropyWithGrad loss', [loss], [nll / rows], 1e-13);
close('crossEntropyWithGrad grad', grad, p.map((v, i) => (v - (i % cols === labels[Math.floor(i / cols)] ? 1 : 0)) / rows), 1e-13);
const scored = ssm.score(x32, { cols, labels });
same('score predictions', scored.predictions, predictions);
same('softmaxAsync on 2 threads against softmax', await ssm.softmaxAsync(x32, { cols, threads: 2 }), ssm.softmax(x32, { cols }));

console.log(JSON.stringify({ backend: ssm.backend, exports: Object.keys(ssm).length, failures }));
