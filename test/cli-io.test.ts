// The CLI's inputs and outputs that are not plain files, signals, closed pipes and environment
// problems (issue 15, items 4-9), driven as a user would: `node dist/cli/main.js` in a child
// process, with real FIFOs, symbolic links, pipes and signals, everything inside this suite's
// temporary folder.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, createReadStream, createWriteStream, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeNpy } from '../lib/cli/npy.js';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'softmax-simd-cli-io-'));
chmodSync(tmp, 0o755); // the permission test runs the CLI as another user when we are root
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

interface RunOptions {
  /** The CLI's main.js (default: this checkout's dist/cli/main.js). */
  program?: string;
  /** Bytes piped to standard input (else it is closed at once). */
  input?: Uint8Array;
  env?: Record<string, string>;
  uid?: number;
  /** Called once the child has started. */
  started?: (child: ReturnType<typeof spawn>) => void;
}

function run(args: string[], options: RunOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.program ?? cli, ...args], {
      env: { ...process.env, ...options.env },
      ...(options.uid !== undefined && { uid: options.uid, gid: options.uid }),
    });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => stdout.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => undefined); // a child that exits before reading all of it
    child.stdin.end(options.input);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(stdout), stderr }));
    options.started?.(child);
  });
}

const rows = 300, cols = 11;
const x = new Float32Array(rows * cols).map((_, i) => Math.sin(i) * 4);
const labels = new Int16Array(rows).map((_, i) => (i * 7) % cols);
const logitsPath = join(tmp, 'logits.npy'), labelsPath = join(tmp, 'labels.npy');
writeFileSync(logitsPath, encodeNpy(x, [rows, cols]));
writeFileSync(labelsPath, encodeNpy(labels, [rows]));

/** The softmax of logits.npy as the CLI writes it to a plain new file. */
async function plainSoftmax(): Promise<Buffer> {
  const out = join(tmp, 'plain.npy');
  const r = await run(['softmax', logitsPath, out, '--quiet']);
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(out);
}

/** A FIFO at `path` (mkfifo), inside the temporary folder. */
function fifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

/** Everything a reader gets from a FIFO until its writer closes it. */
function drain(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    createReadStream(path).on('data', (d) => parts.push(d as Buffer)).on('end', () => resolve(Buffer.concat(parts))).on('error', reject);
  });
}

/** Writes `bytes` into a FIFO (opening it waits for the reader). */
function feed(path: string, bytes: Uint8Array): void {
  createWriteStream(path).end(bytes);
}

const noPartials = (dir: string) => expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);

describe('outputs that are not regular files', () => {
  it('a FIFO is written to as a stream, and stays a FIFO', async () => {
    const want = await plainSoftmax();
    const dir = mkdtempSync(join(tmp, 'fifo-'));
    const out = fifo(join(dir, 'out.npy'));
    const [r, got] = await Promise.all([run(['softmax', logitsPath, out, '--quiet']), drain(out)]);
    expect(r.code, r.stderr).toBe(0);
    expect(got.equals(want)).toBe(true);
    expect(lstatSync(out).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['out.npy']);
  });

  it('a symbolic link is followed: its target is replaced, the link stays', async () => {
    const want = await plainSoftmax();
    const dir = mkdtempSync(join(tmp, 'link-'));
    writeFileSync(join(dir, 'target.npy'), 'old contents');
    chmodSync(join(dir, 'target.npy'), 0o640);
    symlinkSync('target.npy', join(dir, 'link.npy'));
    const r = await run(['softmax', logitsPath, join(dir, 'link.npy'), '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(join(dir, 'link.npy')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link.npy'))).toBe('target.npy');
    expect(readFileSync(join(dir, 'target.npy')).equals(want)).toBe(true);
    expect(lstatSync(join(dir, 'target.npy')).mode & 0o777).toBe(0o640); // a replaced file keeps its mode
    expect(readdirSync(dir).sort()).toEqual(['link.npy', 'target.npy']);
  });

  it("'-' writes the .npy to standard output, the closing line to standard error", async () => {
    const want = await plainSoftmax();
    const r = await run(['softmax', logitsPath, '-']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.equals(want)).toBe(true);
    expect(r.stderr).toMatch(/^softmax: wrote standard output \(300 x 11 float32\)/m);
  });

  it("score --out '-' writes the JSON document to standard output, the summary to standard error", async () => {
    const file = join(tmp, 'doc.json');
    const a = await run(['score', logitsPath, '--labels', labelsPath, '--top-k', '2', '--out', file, '--quiet']);
    expect(a.code, a.stderr).toBe(0);
    const b = await run(['score', logitsPath, '--labels', labelsPath, '--top-k', '2', '--out', '-', '--json', '--quiet']);
    expect(b.code, b.stderr).toBe(0);
    const fromFile = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const fromStdout = JSON.parse(b.stdout.toString()) as Record<string, unknown>;
    for (const key of ['predictions', 'confidence', 'nll', 'topK']) expect(fromStdout[key]).toEqual(fromFile[key]);
    expect(JSON.parse(b.stderr)).toMatchObject({ rows, nllRows: rows, outputs: ['standard output'] });
  });
});

describe('inputs that are streams', () => {
  it("'-' and a FIFO are read as streams, with the results of the file", async () => {
    const file = await run(['score', logitsPath, '--labels', labelsPath, '--json', '--quiet']);
    expect(file.code, file.stderr).toBe(0);
    const summary = (r: Run) => {
      const { logits: _l, labels: _y, seconds: _s, rowsPerSecond: _r, ...rest } = JSON.parse(r.stdout.toString()) as Record<string, unknown>;
      return rest;
    };
    const stdin = await run(['score', '-', '--labels', labelsPath, '--json', '--quiet'], { input: readFileSync(logitsPath) });
    expect(stdin.code, stdin.stderr).toBe(0);
    expect(JSON.parse(stdin.stdout.toString())).toMatchObject({ logits: 'standard input' });
    expect(summary(stdin)).toEqual(summary(file));
    // Labels from standard input (kept in memory for their checking pass), logits from a FIFO.
    const pipe = fifo(join(tmp, 'logits-fifo.npy'));
    feed(pipe, readFileSync(logitsPath));
    const both = await run(['score', pipe, '--labels', '-', '--json', '--quiet'], { input: readFileSync(labelsPath) });
    expect(both.code, both.stderr).toBe(0);
    expect(summary(both)).toEqual(summary(file));
    // softmax from standard input to a file.
    const want = await plainSoftmax();
    const out = join(tmp, 'from-stdin.npy');
    const s = await run(['softmax', '-', out, '--quiet'], { input: readFileSync(logitsPath) });
    expect(s.code, s.stderr).toBe(0);
    expect(readFileSync(out).equals(want)).toBe(true);
  });

  it('a stream that ends early is truncated, named, exit 1', async () => {
    const bytes = readFileSync(logitsPath);
    const r = await run(['score', '-', '--quiet'], { input: bytes.subarray(0, bytes.length - 10) });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`softmax-simd: standard input: truncated (the stream ended at byte ${bytes.length - 10})\n`);
    const header = await run(['score', '-', '--quiet'], { input: bytes.subarray(0, 5) });
    expect(header.code).toBe(1);
    expect(header.stderr).toMatch(/^softmax-simd: standard input: not a NumPy \.npy file/);
  });
});

describe('output paths are checked before any input is read', () => {
  // The input is a FIFO no one writes to: reading it would wait for ever, so a prompt exit shows
  // the output was checked first.
  const blocked = fifo(join(tmp, 'never-written.npy'));
  it.each([
    ['a directory', (ext: string) => {
      const dir = join(tmp, `a-folder.${ext}`);
      mkdirSync(dir, { recursive: true });
      return dir;
    }, (p: string) => `cannot write ${p}: is a directory`],
    ['a missing folder', (ext: string) => join(tmp, 'no', 'such', `out.${ext}`), (p: string) => `cannot write ${p}: folder ${join(tmp, 'no', 'such')} does not exist`],
    ['a symbolic link to a missing file', (ext: string) => {
      const link = join(tmp, `dangling.${ext}`);
      symlinkSync('missing-target', link);
      return link;
    }, (p: string) => `cannot write ${p}: is a symbolic link to a missing file`],
  ])('%s: exit 1 at once, the path named', async (_what, make, message) => {
    for (const [args, out] of [
      [['softmax', blocked], make('npy')],
      [['score', blocked, '--out'], make('json')],
    ] as const) {
      const r = await run([...args, out]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toBe(`softmax-simd: ${message(out)}\n`);
    }
  });

  it('a folder without write permission: exit 1 at once, the path named', async () => {
    const dir = join(tmp, 'read-only');
    mkdirSync(dir);
    chmodSync(dir, 0o555);
    // root passes every permission check: as root, the CLI runs as 'nobody', which owns nothing
    // here, from a copy of dist/ in this folder (the checkout's own path may be closed to it), on
    // the pure-TS path (the copy has no node_modules).
    const asNobody = process.getuid?.() === 0;
    let program = cli;
    if (asNobody) {
      cpSync(fileURLToPath(new URL('../dist', import.meta.url)), join(tmp, 'dist'), { recursive: true });
      program = join(tmp, 'dist', 'cli', 'main.js');
    }
    const out = join(dir, 'out.npy');
    const r = await run(['softmax', blocked, out], { program, ...(asNobody && { uid: 65534, env: { SOFTMAX_SIMD_BACKEND: 'js' } }) });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe(`softmax-simd: cannot write ${out}: permission denied (folder ${dir})\n`);
  });
});

describe('standard error closed while the work goes on', () => {
  it('progress and the summary to a closed pipe never stop the run; the result is written', async () => {
    const big = join(tmp, 'many-rows.npy');
    const n = 20_000;
    writeFileSync(big, encodeNpy(new Float32Array(n * 8).map((_, i) => Math.cos(i)), [n, 8]));
    const out = join(tmp, 'closed-stderr.json');
    const r = await run(['score', big, '--out', out, '--chunk-rows', '500'], {
      started: (child) => {
        child.stderr?.destroy(); // as `2>&1 | head -n 2` does once head has its lines
        child.stdout?.destroy();
      },
    });
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { predictions: number[]; summary: { rows: number } };
    expect(doc.predictions).toHaveLength(n);
    expect(doc.summary.rows).toBe(n);
  });
});

describe('environment variables', () => {
  it.each([
    ['SOFTMAX_SIMD_BACKEND', 'bogus', 'SOFTMAX_SIMD_BACKEND must be "js" or "native", got "bogus"'],
    ['SOFTMAX_SIMD_ISA', 'avx9', 'SOFTMAX_SIMD_ISA must be one of '],
    ['SOFTMAX_SIMD_SMALL_MAX', '-1', 'SOFTMAX_SIMD_SMALL_MAX must be a non-negative integer, got "-1"'],
  ])('%s=%s: one line naming the variable, exit 2, no stack trace', async (name, value, message) => {
    const r = await run(['score', logitsPath], { env: { [name]: value, SOFTMAX_SIMD_BACKEND: name === 'SOFTMAX_SIMD_BACKEND' ? value : '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^softmax-simd: [^\n]*\n$/);
    expect(r.stderr).toContain(message);
  });
});

describe('write failures name the path the user gave', () => {
  it('a file size limit (ulimit -f) while writing the JSON document', async () => {
    const dir = mkdtempSync(join(tmp, 'efbig-'));
    const out = join(dir, 's.json');
    // 16 blocks of 512 bytes: the arrays of 300 rows with top 3 pass that.
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('sh', ['-c', `ulimit -f 16 && exec "$0" "$@"`, process.execPath, cli, 'score', logitsPath, '--labels', labelsPath, '--top-k', '3', '--out', out, '--quiet']);
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`softmax-simd: cannot write ${out}: file too large (the file size limit, ulimit -f)\n`);
    noPartials(dir);
    expect(readdirSync(dir)).toEqual([]);
  });
});
