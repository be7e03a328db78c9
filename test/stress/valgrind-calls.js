// What test/stress/valgrind.js runs under valgrind (node --jitless): every public function of the
// built package once per data set and option set of cases.js on small inputs (1×3, 4×10, 3×17, both
// dtypes), the calls that must throw, the multi-chunk calls on 2 threads, and for each async twin
// an already-aborted signal and an abort mid-flight. Prints one JSON line { backend, calls,
// failures } and exits 3 if a call did not do what it should (valgrind's own errors exit 1).
import * as m from '../../dist/index.js';
import { SMALL_SHAPES, bigSet, callsFor, check, dataSet, functionNames, uncovered } from './cases.js';

const failures = [];
let calls = 0;
const missing = uncovered(m);
if (missing.length) failures.push(`no cases for ${missing.join(', ')}`);

const sets = SMALL_SHAPES.flatMap(([rows, cols], i) => [dataSet(Float32Array, rows, cols, 100 + i), dataSet(Float64Array, rows, cols, 200 + i)]);
// 2 chunks for the calls on 2 threads; 4 chunks for the aborts (valgrind runs one thread at a time).
const large = { threaded: bigSet(Float32Array, 128, 8), abortable: bigSet(Float32Array, 256, 9) };

async function one(name, call) {
  calls++;
  let result, error, threw = false, reason;
  try {
    const started = call.run();
    if (call.expect === 'aborted' || call.expect === 'aborted-or-ok') ({ promise: result, reason } = started);
    else result = started;
    result = await result;
  } catch (e) {
    threw = true;
    error = e;
  }
  const what = `${name} (${call.what})`;
  if (call.expect === 'ok') {
    if (threw) failures.push(`${what}: threw ${error?.stack ?? error}`);
    else if (check(result)) failures.push(`${what}: ${check(result)}`);
  } else if (call.expect === 'TypeError' || call.expect === 'RangeError') {
    if (!threw || error?.constructor?.name !== call.expect) failures.push(`${what}: ${threw ? `threw ${error}` : 'returned'}, not a ${call.expect}`);
  } else if (call.expect === 'aborted') {
    if (!threw || error !== reason) failures.push(`${what}: ${threw ? `rejected with ${error}` : 'resolved'}, not with its signal's reason`);
  } else if (threw && error !== reason) {
    failures.push(`${what}: rejected with ${error?.stack ?? error}, not with its signal's reason`);
  }
}

for (const name of functionNames()) {
  const c = callsFor(m, name, sets, large);
  for (const call of [...c.good, ...c.bad, c.big, c.preAborted, c.midAbort]) if (call) await one(name, call);
}

const { native, isa, supported } = m.backend;
console.log(JSON.stringify({ backend: { native, isa, supported }, calls, failures }));
process.exitCode = failures.length ? 3 : 0;
