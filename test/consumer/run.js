// The consumer test: pack softmax-simd as npm would publish it, install the tarball into fresh
// projects with npm offline and the C++ compiler hidden, and use it the ways users do. Run by
// .ci/run, or `npm run test:consumer`. Needs Debian's esbuild (the browser bundle) and qemu-user
// (the arm64 prebuild, through arm64-node.sh). KEEP=1 keeps the work folder.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'softmax-simd-consumer-'));
let failures = 0;

function check(what, ok, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` (${detail})` : ''}`);
  if (!ok) failures++;
}

function step(title) {
  console.log(`\n-- ${title}`);
}

/** Runs a command to completion; its output is kept, and printed when it fails (unless quietFailure). */
function run(command, args, options) {
  const started = performance.now();
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  const result = { status: r.error ? -1 : r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? ''), ms: performance.now() - started };
  if (result.status !== 0 && !options?.quietFailure) {
    console.log(`   $ ${command} ${args.join(' ')} -> ${result.status}\n${(result.stdout + result.stderr).trim().split('\n').slice(-25).join('\n')}`);
  }
  return result;
}

function json(result) {
  try {
    return JSON.parse(result.stdout.trim().split('\n').at(-1));
  } catch {
    return {};
  }
}

function files(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

function which(tool) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, tool))) return realpathSync(join(dir, tool));
  }
  return null;
}

/** The best ISA this CPU and OS offer, read from /proc/cpuinfo (not from the addon under test). */
function bestIsa() {
  if (process.arch !== 'x64') return process.arch === 'arm64' ? 'neon' : 'scalar';
  const flags = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1].split(/\s+/) ?? [];
  const has = (...f) => f.every((x) => flags.includes(x));
  return has('avx512f', 'avx2', 'fma') ? 'avx512' : has('avx2', 'fma') ? 'avx2' : 'scalar';
}

// A user's environment: none of this repo's npm_* variables, npm offline, and (for `bare`) a PATH
// holding only node, npm, python3, make and sh, with CC and CXX set to `false`.
const user = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
Object.assign(user, { npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' });
const bin = join(work, 'bin');
mkdirSync(bin);
for (const tool of ['node', 'npm', 'python3', 'make', 'sh']) {
  // A pyenv shim needs pyenv on PATH: node-gyp gets the system's Python instead.
  const python = tool === 'python3' && existsSync('/usr/bin/python3') ? '/usr/bin/python3' : null;
  symlinkSync(python ?? which(tool), join(bin, tool));
}
const bare = { ...user, PATH: bin, CC: 'false', CXX: 'false' };

function project(name) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true }));
  for (const f of ['check.mjs', 'check.cjs', 'consumer.mts', 'consumer.cts', 'browser.ts', 'tsconfig.json', 'tsconfig.browser.json']) {
    copyFileSync(join(here, f), join(dir, f));
  }
  return dir;
}

const installed = (dir) => join(dir, 'node_modules', 'softmax-simd');

/** `node check.mjs` in a project: the package's backend and its failed checks; stderr must stay empty. */
function runChecks(what, dir, env, node = [process.execPath]) {
  const r = run(node[0], [...node.slice(1), 'check.mjs'], { cwd: dir, env });
  const out = json(r);
  check(`${what}: the worked examples and a 64 x 1000 batch are right`, r.status === 0 && out.failures?.length === 0, out.failures?.join('; '));
  check(`${what}: nothing printed on stderr`, r.stderr === '', r.stderr.split('\n')[0]);
  return { ...out.backend, exports: out.exports };
}

step('npm pack (prepack: TypeScript build, prebuildify for linux-x64 and, cross-compiled, linux-arm64)');
const pack = run('npm', ['pack', '--pack-destination', work], { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
check('npm pack', pack.status === 0, `${(pack.ms / 1000).toFixed(1)} s`);
const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')) ?? 'missing.tgz');
const unpacked = join(work, 'unpacked');
mkdirSync(unpacked);
run('tar', ['-xzf', tarball, '-C', unpacked]);
const listing = files(join(unpacked, 'package'));
let unpackedBytes = 0;
for (const f of listing) {
  const size = statSync(join(unpacked, 'package', f)).size;
  unpackedBytes += size;
  console.log(`   ${String(size).padStart(8)}  ${f}`);
}
console.log(`   ${listing.length} files, ${(unpackedBytes / 1024).toFixed(1)} kB unpacked; ${tarball.split('/').at(-1)} is ${(statSync(tarball).size / 1024).toFixed(1)} kB`);

step('the tarball holds what users need and nothing else');
const allowed = /^(package\.json|README\.md|LICENSE|binding\.gyp|native\/install\.js|native\/(include|src)\/[\w/.-]+\.(h|cc)|dist\/[\w/.-]+\.(js|d\.ts)|prebuilds\/linux-(x64|arm64)\/softmax-simd\.glibc\.node)$/;
const stray = listing.filter((f) => !allowed.test(f));
check('no file outside dist/, prebuilds/, the native sources, binding.gyp, README, LICENSE', stray.length === 0, stray.join(', '));
const gypSources = [...readFileSync(join(repo, 'binding.gyp'), 'utf8').matchAll(/"(native\/[^"]+\.\w+)"/g)].map((m) => m[1]);
const wanted = ['dist/index.js', 'dist/index.d.ts', 'dist/js.js', 'dist/js.d.ts', 'dist/cli/main.js', 'native/install.js',
  'prebuilds/linux-x64/softmax-simd.glibc.node', 'prebuilds/linux-arm64/softmax-simd.glibc.node', ...gypSources];
const missing = wanted.filter((f) => !listing.includes(f));
check('the entry points, both prebuilds and every source binding.gyp names', missing.length === 0, missing.join(', '));

step('the prebuilds need no newer glibc than Node 20 itself (2.28), nor a newer libstdc++ than GCC 6\'s');
/** Compares dotted versions by their numbers: negative, zero or positive. */
function compareVersions(a, b) {
  const x = a.split('.').map(Number), y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  }
  return 0;
}

/** The newest symbol version a binary needs of GLIBC or GLIBCXX, from readelf's version needs. */
function newestNeeded(file, prefix) {
  const out = run('readelf', ['-V', '--wide', file]).stdout;
  return [...out.matchAll(new RegExp(`Name: ${prefix}_([\\d.]+)`, 'g'))].map((m) => m[1]).sort(compareVersions).at(-1) ?? '0';
}

for (const arch of ['x64', 'arm64']) {
  const file = join(unpacked, 'package', 'prebuilds', `linux-${arch}`, 'softmax-simd.glibc.node');
  const glibc = newestNeeded(file, 'GLIBC'), libstdcxx = newestNeeded(file, 'GLIBCXX');
  check(`linux-${arch}: needs GLIBC_${glibc} (at most 2.28) and GLIBCXX_${libstdcxx} (at most 3.4.22)`,
    compareVersions(glibc, '2.28') <= 0 && compareVersions(libstdcxx, '3.4.22') <= 0);
}

step('the compiler is hidden from the installs');
const compilers = ['g++', 'gcc', 'c++', 'cc', 'clang', 'clang++'].filter((c) => run(c, ['--version'], { env: bare, quietFailure: true }).status === 0);
check('no C or C++ compiler on PATH, CC=false, CXX=false', compilers.length === 0, compilers.join(', '));

step('a fresh project installs the tarball: no compiler, npm offline');
const a = project('consumer-prebuilt');
const install = run('npm', ['install', tarball], { cwd: a, env: bare });
check('npm install succeeds', install.status === 0, `${(install.ms / 1000).toFixed(2)} s`);
check('nothing was compiled (no build/ folder)', !existsSync(join(installed(a), 'build')));
const backend = runChecks('ESM import', a, bare);
check('backend.native is true, from the prebuild', backend.native === true, JSON.stringify(backend));
check(`backend.isa is the best this CPU has (${bestIsa()})`, backend.isa === bestIsa(), backend.isa);
const cjs = run(process.execPath, ['check.cjs'], { cwd: a, env: bare });
const cjsOut = json(cjs);
check('CommonJS require() gives the same functions as import()', cjs.status === 0 && cjsOut.failures?.length === 0 && cjsOut.exports === backend.exports,
  [`${cjsOut.exports} exports`, ...(cjsOut.failures ?? [])].join('; '));
check('require(): nothing printed on stderr', cjs.stderr === '', cjs.stderr.split('\n')[0]);
const cli = run(join(a, 'node_modules', '.bin', 'softmax-simd'), ['--version'], { cwd: a, env: bare });
const version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version;
check('the softmax-simd command is installed and runs', cli.status === 0 && cli.stdout.includes(version), cli.stdout.trim());
const tsc = [process.execPath, join(repo, 'node_modules', 'typescript', 'bin', 'tsc')];
check('a strict Node consumer (.mts and .cts, no @types/node) type-checks', run(tsc[0], [tsc[1], '-p', 'tsconfig.json'], { cwd: a }).status === 0);
check('a browser consumer of softmax-simd/js type-checks', run(tsc[0], [tsc[1], '-p', 'tsconfig.browser.json'], { cwd: a }).status === 0);

step('softmax-simd/js in a browser: bundled by esbuild for the browser platform, run with no Node globals');
writeFileSync(join(a, 'browser-entry.js'), "export * from 'softmax-simd/js';\n");
const bundle = run('esbuild', ['browser-entry.js', '--bundle', '--platform=browser', '--format=iife', '--global-name=ssm', '--outfile=bundle.js'], { cwd: a });
check('esbuild bundles it (no Node built-in is imported)', bundle.status === 0, bundle.status === 0 ? '' : 'is Debian\'s esbuild installed?');
if (bundle.status === 0) {
  const code = `${readFileSync(join(a, 'bundle.js'), 'utf8')}\nArray.from(ssm.softmax(new Float64Array([2, 3, 4])))`;
  let p = [];
  try {
    p = runInNewContext(code, {});
  } catch (error) {
    p = [String(error)];
  }
  check('the bundle runs in a bare context and computes softmax([2, 3, 4])', Math.abs(p[2] - 0.665240955775) < 1e-12, String(p));
}

step('the linux-arm64 prebuild in Debian\'s arm64 Node, under qemu');
const arm64 = runChecks('arm64 ESM import', a, user, [join(here, 'arm64-node.sh')]);
check('arm64: backend.native is true and the ISA is neon', arm64.native === true && arm64.isa === 'neon', JSON.stringify(arm64));

step('a source build, asked for');
const noCompiler = run('npm', ['rebuild', 'softmax-simd', '--build-from-source'], { cwd: a, env: bare, quietFailure: true });
check('--build-from-source with no compiler fails the command', noCompiler.status !== 0 && /did not build/.test(noCompiler.stderr), `exit ${noCompiler.status}`);
const rebuild = run('npm', ['rebuild', 'softmax-simd', '--build-from-source'], { cwd: a, env: user });
check('--build-from-source with a compiler builds the addon', rebuild.status === 0 && existsSync(join(installed(a), 'build', 'Release', 'softmax_simd.node')),
  `${(rebuild.ms / 1000).toFixed(1)} s`);
check('the source build is native, at the best ISA', runChecks('source build', a, user).isa === bestIsa());

step('no prebuild for this platform and no compiler: the install succeeds, on the pure-TS path');
const plain = join(work, 'no-prebuilds');
mkdirSync(plain);
rmSync(join(unpacked, 'package', 'prebuilds'), { recursive: true });
const plainTarball = join(plain, 'softmax-simd-no-prebuilds.tgz');
run('tar', ['-czf', plainTarball, '-C', unpacked, 'package']);
const b = project('consumer-no-prebuild');
const fallback = run('npm', ['install', '--foreground-scripts', plainTarball], { cwd: b, env: bare });
check('npm install succeeds', fallback.status === 0, `${(fallback.ms / 1000).toFixed(2)} s`);
const notices = (fallback.stdout + fallback.stderr).match(/softmax-simd: no prebuilt addon for .*/g) ?? [];
check('the install says once that the pure-TS kernels will be used', notices.length === 1, notices[0]);
check('no build/ folder is left behind', !existsSync(join(installed(b), 'build')));
const jsBackend = runChecks('pure-TS path', b, bare);
check('backend.native is false and backend.reason says why', jsBackend.native === false && jsBackend.isa === 'js' && /No native build was found/.test(jsBackend.reason),
  jsBackend.reason);
const demanded = run('npm', ['rebuild', 'softmax-simd'], { cwd: b, env: { ...bare, SOFTMAX_SIMD_BACKEND: 'native' }, quietFailure: true });
check('SOFTMAX_SIMD_BACKEND=native makes that install fail', demanded.status !== 0, `exit ${demanded.status}`);

if (process.env.KEEP) console.log(`\nkept ${work}`);
else rmSync(work, { recursive: true, force: true });
console.log(failures ? `\n${failures} consumer check(s) failed` : '\nall consumer checks passed');
process.exitCode = failures ? 1 : 0;
