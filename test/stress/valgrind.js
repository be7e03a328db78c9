#!/usr/bin/env node
// Runs test/stress/valgrind-calls.js (every public function, small inputs, both dtypes, sync and
// async, calls that throw, aborts) under valgrind's memcheck, once per native ISA this machine has
// (SOFTMAX_SIMD_ISA=scalar|avx2|avx512, with SOFTMAX_SIMD_SMALL_MAX=0 so that even tiny inputs go to
// the ISA's kernels) and once on the pure-TS path; zero errors required:
//
//   valgrind --tool=memcheck --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite
//            --suppressions=test/stress/valgrind.supp node --jitless test/stress/valgrind-calls.js
//
// Node runs with --jitless: V8 then generates no machine code at run time, so memcheck sees no
// self-modifying code and reports nothing from V8's JIT (it also makes the run short). The one
// suppression (valgrind.supp) is a fixed 480 bytes Node loses at exit for an N-API 4 addon's
// function data; it cannot match anything a call allocates.
//
// valgrind 3.19 has no AVX-512: it hides AVX-512F from CPUID, so under valgrind the addon's own
// check offers [scalar, avx2] and SOFTMAX_SIMD_ISA=avx512 gives avx2 (and an AVX-512 instruction
// would be SIGILL). Such an ISA is reported SKIP, not run twice as avx2; its kernels are checked by
// the vitest suites and the C++ kernel tests instead.
//
//   node test/stress/valgrind.js [--isa=scalar,avx2,avx512,js] [--track-origins] [--keep-logs]
//
// Exit codes: 0 every run passed (or was skipped as above), 1 a run failed, 2 no valgrind or no dist/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const probe = join(here, 'valgrind-calls.js');
const suppressions = join(here, 'valgrind.supp');
const usage = 'usage: node test/stress/valgrind.js [--isa=scalar,avx2,avx512,js] [--track-origins] [--keep-logs]';

let only = null, trackOrigins = false, keepLogs = false;
for (const arg of process.argv.slice(2)) {
  if (arg.startsWith('--isa=')) only = arg.slice(6).split(',');
  else if (arg === '--track-origins') trackOrigins = true;
  else if (arg === '--keep-logs') keepLogs = true;
  else {
    console.error(arg === '--help' || arg === '-h' ? usage : `valgrind.js: unknown argument ${arg}\n${usage}`);
    process.exit(arg === '--help' || arg === '-h' ? 0 : 2);
  }
}

const version = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
if (version.error || version.status !== 0) {
  console.error('valgrind.js: valgrind not found (Debian: apt-get install valgrind)');
  process.exit(2);
}
if (!existsSync(join(here, '../../dist/index.js'))) {
  console.error('valgrind.js: dist/index.js is missing: run npm run build first');
  process.exit(2);
}

// The ISAs this machine has, outside valgrind (none if the addon does not load).
const env = { ...process.env };
delete env.SOFTMAX_SIMD_ISA;
delete env.SOFTMAX_SIMD_BACKEND;
const native = spawnSync(process.execPath, ['--input-type=module', '-e', `import('${new URL('../../dist/index.js', import.meta.url).href}').then((m) => console.log(JSON.stringify(m.backend)))`], { env, encoding: 'utf8' });
const backend = native.status === 0 ? JSON.parse(native.stdout) : { native: false, supported: [] };
let targets = [...backend.supported, 'js'];
if (only) {
  const unknown = only.filter((t) => !targets.includes(t));
  if (unknown.length) console.log(`valgrind.js: not on this machine: ${unknown.join(', ')} (it has ${targets.join(', ')})`);
  targets = targets.filter((t) => only.includes(t));
}
console.log(`${version.stdout.trim()}, Node ${process.version}; native ISAs here: ${backend.supported.join(', ') || 'none (the addon does not load)'}; runs: ${targets.join(', ')}`);

const logs = mkdtempSync(join(tmpdir(), 'softmax-simd-valgrind-'));
const results = [];
let seenUnderValgrind = null; // backend.supported as the addon sees it under valgrind

for (const target of targets) {
  if (target !== 'js' && seenUnderValgrind && !seenUnderValgrind.includes(target)) {
    results.push({ target, result: 'SKIP', note: `under valgrind the CPU offers only ${seenUnderValgrind.join(', ')} (valgrind ${version.stdout.trim().replace('valgrind-', '')} has no ${target})` });
    console.log(`${target}: SKIP: ${results.at(-1).note}`);
    continue;
  }
  const log = join(logs, `${target}.log`);
  const runEnv = { ...env, SOFTMAX_SIMD_BACKEND: target === 'js' ? 'js' : 'native', SOFTMAX_SIMD_SMALL_MAX: '0' };
  if (target !== 'js') runEnv.SOFTMAX_SIMD_ISA = target;
  const args = [
    '--tool=memcheck', '--error-exitcode=1', '--leak-check=full', '--errors-for-leak-kinds=definite',
    '--show-leak-kinds=definite', `--suppressions=${suppressions}`, '--num-callers=40', '-s', `--log-file=${log}`,
    ...(trackOrigins ? ['--track-origins=yes'] : []),
    process.execPath, '--jitless', probe,
  ];
  console.log(`${target}: valgrind ${args.slice(0, -3).join(' ')} node --jitless test/stress/valgrind-calls.js`);
  const started = performance.now();
  const child = spawnSync('valgrind', args, { env: runEnv, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const seconds = (performance.now() - started) / 1000;
  const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
  const errors = Number(/ERROR SUMMARY: (\d+) errors/.exec(text)?.[1] ?? NaN);
  const lost = /definitely lost: ([\d,]+) bytes in ([\d,]+) blocks/.exec(text);
  const suppressed = [...text.matchAll(/used_suppression:\s+(\d+)\s+(\S+)/g)].map(([, count, name]) => `${count}× ${name}`);
  let report = null;
  try {
    report = JSON.parse(child.stdout.trim().split('\n').at(-1));
  } catch {
    // no report: the probe crashed; the status and the log say why
  }
  const underValgrind = report?.backend;
  if (target !== 'js' && underValgrind) seenUnderValgrind = underValgrind.supported;
  const problems = [];
  if (child.error) problems.push(String(child.error));
  if (child.status === 1) problems.push(`memcheck found ${errors} error(s)`);
  else if (child.status === 3) problems.push(`calls misbehaved: ${report?.failures.join('; ')}`);
  else if (child.status !== 0) problems.push(`exit status ${child.status}${child.signal ? `, signal ${child.signal}` : ''}`);
  if (!report) problems.push('no report from valgrind-calls.js');
  if (errors !== 0) problems.push(`ERROR SUMMARY: ${Number.isNaN(errors) ? 'missing' : errors}`);
  let result = problems.length ? 'FAIL' : 'PASS', note = '';
  if (!problems.length && target !== 'js' && underValgrind.isa !== target) {
    result = 'SKIP';
    note = `asked for ${target}, the addon ran ${underValgrind.isa}: under valgrind the CPU offers only ${underValgrind.supported.join(', ')}`;
  }
  if (target === 'js' && report && report.backend.native) problems.push('the pure-TS run loaded the addon'), (result = 'FAIL');
  results.push({
    target,
    isa: underValgrind?.isa ?? '?',
    calls: report?.calls ?? 0,
    errors,
    lost: lost ? `${lost[1]} B in ${lost[2]}` : '?',
    suppressed: suppressed.join(', ') || 'none',
    seconds,
    result,
    note: note || problems.join('; '),
    log,
  });
  console.log(`${target}: ${result} in ${seconds.toFixed(1)} s: ${report?.calls ?? 0} calls on ${underValgrind?.isa ?? '?'}, ${errors} errors, definitely lost ${results.at(-1).lost} (after suppressions: ${results.at(-1).suppressed})${results.at(-1).note ? `; ${results.at(-1).note}` : ''}`);
  if (result === 'FAIL') {
    const section = text.split('\n').filter((line) => !/^==\d+== (Memcheck|Copyright|Using Valgrind|Command|Parent PID)/.test(line)).slice(0, 200).join('\n');
    console.log(`--- ${log} (first 200 lines) ---\n${section}\n--- end of ${log} ---`);
    if (child.stderr.trim()) console.log(`--- stderr ---\n${child.stderr.trim().slice(0, 4000)}`);
  }
}

console.log('\ntarget   ISA run   calls  errors  definitely lost  time s  result');
for (const r of results) {
  console.log(`${r.target.padEnd(8)} ${String(r.isa ?? '-').padEnd(8)} ${String(r.calls ?? '-').padStart(6)} ${String(r.errors ?? '-').padStart(7)}  ${String(r.lost ?? '-').padEnd(15)} ${r.seconds === undefined ? '     -' : r.seconds.toFixed(1).padStart(6)}  ${r.result}${r.note ? ` (${r.note})` : ''}`);
}
const failed = results.filter((r) => r.result === 'FAIL');
if (!keepLogs && !failed.length) rmSync(logs, { recursive: true, force: true });
else console.log(`logs: ${logs}`);
const passed = results.filter((r) => r.result === 'PASS').map((r) => r.target);
const skipped = results.filter((r) => r.result === 'SKIP').map((r) => r.target);
if (failed.length) {
  console.log(`FAIL valgrind.js: ${failed.map((r) => r.target).join(', ')} failed${passed.length ? `; passed: ${passed.join(', ')}` : ''}`);
  process.exit(1);
}
if (!passed.length) {
  console.log('FAIL valgrind.js: nothing ran');
  process.exit(1);
}
console.log(`PASS valgrind.js: no memcheck errors on ${passed.join(', ')}${skipped.length ? ` (skipped: ${skipped.join(', ')}: valgrind cannot run them)` : ''}`);
