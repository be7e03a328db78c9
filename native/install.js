// npm's install step. A prebuild (or an earlier build) that loads here is used as it is; else
// node-gyp builds the addon from source. If that fails too (no compiler, no Python), the install
// still succeeds and the package runs on its pure-TS kernels: `backend.native` is false and
// `backend.reason` says why, with no warning printed at run time. This is why the script is ours
// and not `node-gyp-build`'s, whose failed source build fails the whole `npm install`.
//
// A native build that was asked for fails loudly instead: `npm install --build-from-source`
// (which skips the prebuild) or SOFTMAX_SIMD_BACKEND=native. SOFTMAX_SIMD_BACKEND=js skips the build.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const env = process.env;

/** Whether node-gyp-build finds an addon that loads; tried in a child, which a bad binary may crash. */
function addonLoads() {
  const probe = `require(${JSON.stringify(require.resolve('node-gyp-build'))})(${JSON.stringify(root)})`;
  return spawnSync(process.execPath, ['-e', probe], { stdio: 'ignore' }).status === 0;
}

/** node-gyp rebuild: a node-gyp the project has, else the one npm puts on PATH for its scripts. */
function buildFromSource() {
  let command;
  try {
    command = [process.execPath, require.resolve('node-gyp/bin/node-gyp.js')];
  } catch {
    command = [process.platform === 'win32' ? 'node-gyp.cmd' : 'node-gyp'];
  }
  const run = spawnSync(command[0], [...command.slice(1), 'rebuild'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  return run.status === 0;
}

function note(message) {
  console.error(`softmax-simd: ${message}`);
}

const fromSource = env.npm_config_build_from_source === 'true' || env.npm_config_build_from_source === 'softmax-simd';
const nativeRequired = fromSource || env.SOFTMAX_SIMD_BACKEND === 'native';

function install() {
  if (env.SOFTMAX_SIMD_BACKEND === 'js') return note('SOFTMAX_SIMD_BACKEND=js: no native addon built or checked.');
  if (!fromSource && addonLoads()) return;
  if (buildFromSource() && addonLoads()) return;
  rmSync(join(root, 'build'), { recursive: true, force: true });
  const where = `${process.platform}-${process.arch}`;
  if (nativeRequired) {
    note(`the native addon did not build for ${where} (node-gyp's output is above).`);
    process.exitCode = 1;
    return;
  }
  note(`no prebuilt addon for ${where} and the source build failed; the pure-TypeScript kernels ` +
    'will be used (backend.native === false). With a C++ compiler and Python present, ' +
    '`npm rebuild softmax-simd` builds the addon.');
}

install();
