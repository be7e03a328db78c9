// The softmax-simd command (lib/cli), run as a user runs it: `node dist/cli/main.js` in a child
// process with this suite's environment (so SOFTMAX_SIMD_BACKEND=js tests the pure-TS path).
// Results are checked against a float64 reference computed here from the fixtures' values.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type NpyArray, type NpyDtype, arrayOf, encodeNpy, parseNpyHeader, readNpy } from '../lib/cli/npy.js';
import { Progress, type ProgressMode } from '../lib/cli/progress.js';
import { float32Text } from '../lib/cli/score-output.js';
import { logSoftmax, softmax } from '../lib/index.js';
import type { FloatArray } from '../lib/types.js';
import { rowReference } from './helpers/reference.js';
import { expectLogs, expectLoss, expectProbs } from './helpers/tolerance.js';

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/npy/', import.meta.url));
const fixture = (name: string) => join(fixtures, name);
const tmp = mkdtempSync(join(tmpdir(), 'softmax-simd-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { maxBuffer: 2 ** 26 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

/** Runs `score … --json` and returns the summary it prints (failing on a non-zero exit). */
async function summaryOf(...args: string[]): Promise<Record<string, unknown>> {
  const r = await run('score', ...args, '--json', '--quiet');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const numbers = (a: NpyArray) => Array.from(a as ArrayLike<number | bigint>, Number);

/** The float64 reference of `score`: argmax, confidence, nll, top k (ties by index) per row. */
function reference(x: ArrayLike<number>, cols: number, labels?: ArrayLike<number>, k = 0) {
  const rows = x.length / cols;
  const predictions: number[] = [], confidence: number[] = [], nll: number[] = [];
  const topIndices: number[] = [], topValues: number[] = [], topArgs: number[] = [];
  let correct = 0, nllSum = 0;
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    const { max, lse } = rowReference(x, start, cols);
    const order = Array.from({ length: cols }, (_, c) => c).sort((a, b) => x[start + b] - x[start + a] || a - b);
    predictions.push(order[0]);
    confidence.push(Math.exp(max - lse));
    for (const c of order.slice(0, k)) {
      topIndices.push(c);
      topValues.push(Math.exp(x[start + c] - lse));
      topArgs.push(max - x[start + c]);
    }
    if (labels) {
      nll.push(lse - x[start + labels[r]]);
      nllSum += nll[r];
      if (order[0] === labels[r]) correct++;
    }
  }
  return { predictions, confidence, nll, topIndices, topValues, topArgs, accuracy: correct / rows, meanNll: nllSum / rows };
}

/** A fixture's header and data, read synchronously. */
function load(name: string) {
  const bytes = new Uint8Array(readFileSync(fixture(name)));
  const header = parseNpyHeader(bytes, name);
  return { header, data: arrayOf(header.dtype as NpyDtype, bytes.slice(header.dataOffset).buffer, 0, header.size) };
}

const f32Logits = load('logits-f32.npy');
const f64Logits = load('logits-f64.npy');
const fixtureLabels = numbers(load('labels-i4.npy').data);
const COLS = 7;

describe('score', () => {
  it.each([
    ['float32', 'logits-f32.npy', f32Logits],
    ['float64', 'logits-f64.npy', f64Logits],
  ])('%s: predictions, confidence, nll and top k as the float64 reference; summary accuracy and mean NLL', async (_dt, name, logits) => {
    const x = logits.data as FloatArray;
    const ref = reference(x, COLS, fixtureLabels, 3);
    const dir = mkdtempSync(join(tmp, 'score-'));
    const summary = await summaryOf(fixture(name), '--labels', fixture('labels-i4.npy'), '--top-k', '3', '--out', join(dir, 'p.npy'));
    expect(summary).toMatchObject({ rows: 23, cols: COLS, topK: 3, correct: Math.round(ref.accuracy * 23), nanRows: 0 });
    expect(summary.accuracy).toBe(ref.accuracy);
    const f32 = x instanceof Float32Array;
    expectLoss(summary.meanNll as number, ref.meanNll, f32, 'meanNll');
    expect(summary.perplexity).toBeCloseTo(Math.exp(summary.meanNll as number), 10);
    expect((summary.outputs as string[]).map((p) => p.slice(dir.length + 1))).toEqual([
      'p.npy',
      'p.confidence.npy',
      'p.nll.npy',
      'p.topk-indices.npy',
      'p.topk-values.npy',
    ]);
    expect(readdirSync(dir).sort()).toEqual(['p.confidence.npy', 'p.nll.npy', 'p.npy', 'p.topk-indices.npy', 'p.topk-values.npy']);

    const out = async (file: string, descr: string, shape: number[]) => {
      const { header, data } = await readNpy(join(dir, file));
      expect(header, file).toMatchObject({ descr, shape });
      return data;
    };
    const fdescr = f32 ? '<f4' : '<f8';
    expect(numbers(await out('p.npy', '<i4', [23]))).toEqual(ref.predictions);
    expectProbs((await out('p.confidence.npy', fdescr, [23])) as FloatArray, ref.confidence, ref.confidence.map(() => 0), 'confidence');
    expectLogs((await out('p.nll.npy', fdescr, [23])) as FloatArray, ref.nll, 'nll');
    expect(numbers(await out('p.topk-indices.npy', '<i4', [23, 3]))).toEqual(ref.topIndices);
    expectProbs((await out('p.topk-values.npy', fdescr, [23, 3])) as FloatArray, ref.topValues, ref.topArgs, 'top-k values');
  });

  it('reads labels of every integer dtype alike', async () => {
    const want = reference(f32Logits.data as FloatArray, COLS, fixtureLabels);
    const names = ['i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8'];
    const summaries = await Promise.all(names.map((n) => summaryOf(fixture('logits-f32.npy'), '--labels', fixture(`labels-${n}.npy`))));
    for (const [i, s] of summaries.entries()) {
      expect(s.accuracy, names[i]).toBe(want.accuracy);
      expect(s.meanNll, names[i]).toBe(summaries[0].meanNll);
    }
  });

  // 17 classes: a row is more than the 16 elements (backend.smallMax) below which the native
  // path hands an input to the pure-TS kernels, whose last bit may differ; so every chunking
  // runs the same kernels and must give the same bytes.
  it('gives identical outputs for --chunk-rows 1, 7 and the default, in .npy and .json', async () => {
    const rows = 23, cols = 17;
    writeFileSync(join(tmp, 'c17.npy'), encodeNpy(new Float32Array(rows * cols).map((_, i) => 4 * Math.sin(0.7 * i)), [rows, cols]));
    writeFileSync(join(tmp, 'c17-labels.npy'), encodeNpy(new Uint16Array(rows).map((_, r) => (5 * r) % cols), [rows]));
    const outputs = await Promise.all(
      [['--chunk-rows', '1'], ['--chunk-rows', '7'], []].map(async (chunking, i) => {
        const dir = mkdtempSync(join(tmp, `chunks-${i}-`));
        const common = [join(tmp, 'c17.npy'), '--labels', join(tmp, 'c17-labels.npy'), '--top-k', '4', ...chunking];
        const a = await summaryOf(...common, '--out', join(dir, 'p.npy'));
        const b = await summaryOf(...common, '--out', join(dir, 'p.json'));
        const { seconds: _s, rowsPerSecond: _r, outputs: _o, ...rest } = a;
        expect(b.meanNll).toBe(a.meanNll);
        const json = JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8')) as { summary: Record<string, unknown> };
        json.summary = {};
        const files = readdirSync(dir).filter((f) => f.endsWith('.npy')).sort();
        return { summary: rest, json, npy: files.map((f) => [f, readFileSync(join(dir, f)).toString('base64')]) };
      }),
    );
    expect(outputs[0].npy).toHaveLength(5);
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[2]).toEqual(outputs[0]);
  });

  it('--out .json: the layout --help documents, with the values of the .npy files', async () => {
    const dir = mkdtempSync(join(tmp, 'json-'));
    const args = [fixture('logits-f32.npy'), '--labels', fixture('labels-i2.npy'), '--top-k', '3', '--chunk-rows', '5'];
    await summaryOf(...args, '--out', join(dir, 'p.npy'));
    const summary = await summaryOf(...args, '--out', join(dir, 'p.json'));
    const text = readFileSync(join(dir, 'p.json'), 'utf8');
    const starts = ['{"predictions":[', '"confidence":[', '"nll":[', '"topK":{"indices":[[', '"summary":{', ''];
    expect(text.split('\n').map((line, i) => line.startsWith(starts[i]))).toEqual(starts.map(() => true));
    const doc = JSON.parse(text) as Record<string, unknown> & { topK: { indices: number[][]; values: number[][] } };
    expect(Object.keys(doc)).toEqual(['predictions', 'confidence', 'nll', 'topK', 'summary']);
    expect(doc.summary).toEqual(summary);
    const npy = async (f: string) => numbers((await readNpy(join(dir, f))).data);
    expect(doc.predictions).toEqual(await npy('p.npy'));
    // float32 values with the fewest digits that read back as the same float32
    expect((doc.confidence as number[]).map(Math.fround)).toEqual(await npy('p.confidence.npy'));
    expect((doc.nll as number[]).map(Math.fround)).toEqual(await npy('p.nll.npy'));
    expect(doc.topK.indices.flat()).toEqual(await npy('p.topk-indices.npy'));
    expect(doc.topK.indices.every((row) => row.length === 3)).toBe(true);
    expect(doc.topK.values.flat().map(Math.fround)).toEqual(await npy('p.topk-values.npy'));
  });

  it('scores a 1-D file as one row, and marks a NaN row (prediction -1, NaN as null)', async () => {
    const row = await summaryOf(fixture('row-f32.npy'), '--top-k', String(COLS));
    expect(row).toMatchObject({ rows: 1, cols: COLS, nanRows: 0 });

    const x = new Float32Array([1, 2, 3, 4, NaN, 0, -1, -2, 5, 0.5, 0.25, 0]);
    writeFileSync(join(tmp, 'nan.npy'), encodeNpy(x, [4, 3]));
    writeFileSync(join(tmp, 'nan-labels.npy'), encodeNpy(new Uint8Array([2, 1, 2, 0]), [4]));
    const dir = mkdtempSync(join(tmp, 'nan-'));
    const s = await summaryOf(join(tmp, 'nan.npy'), '--labels', join(tmp, 'nan-labels.npy'), '--out', join(dir, 'p.json'));
    // The NaN row is counted and left out of the mean NLL, which averages the other three.
    expect(s).toMatchObject({ rows: 4, nanRows: 1, infiniteRows: 0, maskedRows: 0, correct: 3, accuracy: 0.75, nllRows: 3 });
    expect(s.meanNll).toBeGreaterThan(0);
    expect(s.perplexity).toBeCloseTo(Math.exp(s.meanNll as number), 10);
    const doc = JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8')) as { predictions: number[]; confidence: (number | null)[]; nll: (number | null)[] };
    expect(doc.predictions).toEqual([2, -1, 2, 0]);
    expect(doc.confidence[1]).toBeNull();
    expect(doc.nll[1]).toBeNull();
    expect(doc.nll[0]).toBeCloseTo(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3, 6);

    // A row of all −Inf (issue 15's reproduction): counted as masked, the mean over the other row.
    writeFileSync(join(tmp, 'masked.npy'), encodeNpy(new Float32Array([-Infinity, -Infinity, -Infinity, 1, 2, 3]), [2, 3]));
    writeFileSync(join(tmp, 'masked-labels.npy'), encodeNpy(new Uint8Array([0, 2]), [2]));
    const masked = await summaryOf(join(tmp, 'masked.npy'), '--labels', join(tmp, 'masked-labels.npy'));
    expect(masked).toMatchObject({ rows: 2, nanRows: 0, infiniteRows: 0, maskedRows: 1, nllRows: 1 });
    expect(masked.meanNll).toBeCloseTo(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3, 6);
    const text = await run('score', join(tmp, 'masked.npy'), '--labels', join(tmp, 'masked-labels.npy'), '--quiet');
    expect(text.stdout).toMatch(/^mean NLL {4}0\.4076\d* \(over the 1 rows with a finite prediction\)$/m);
    expect(text.stdout).toMatch(/^masked rows 1 \(every logit -Inf: no prediction\)$/m);
  });

  it('prints a human summary without --json, and progress lines on a non-terminal stderr', async () => {
    const r = await run('score', fixture('logits-f64.npy'), '--labels', fixture('labels-i8.npy'), '--chunk-rows', '3');
    expect(r.code).toBe(0);
    const ref = reference(f64Logits.data as FloatArray, COLS, fixtureLabels);
    expect(r.stdout).toContain(`accuracy    ${ref.accuracy.toPrecision(6)} (${Math.round(ref.accuracy * 23)} of 23)`);
    expect(r.stdout).toMatch(/^mean NLL {4}\d/m);
    expect(r.stdout).toMatch(/^time {8}.* rows\/s/m);
    const lines = r.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(11); // at most one per 10 % (and one at the start)
    expect(lines[lines.length - 1]).toMatch(/^softmax-simd: score: 100% \(23\/23 rows, .* rows\/s, in 0:00\)$/);
    expect((await run('score', fixture('logits-f64.npy'), '--quiet')).stderr).toBe('');
  });
});

describe('softmax', () => {
  it.each([
    ['float32 softmax', 'logits-f32.npy', []],
    ['float64 log-softmax at temperature 0.7', 'logits-f64.npy', ['--log', '--temperature', '0.7']],
    ['a 1-D float32 row', 'row-f32.npy', ['--temperature', '2']],
  ] as [string, string, string[]][])('%s equals the library on the whole array', async (_what, name, options) => {
    const { header, data } = load(name);
    const x = data as FloatArray;
    const cols = header.shape[header.shape.length - 1];
    const temperature = options.includes('--temperature') ? Number(options[options.indexOf('--temperature') + 1]) : 1;
    const log = options.includes('--log');
    const want = (log ? logSoftmax : softmax)(x, { cols, temperature });
    for (const chunking of [['--chunk-rows', '4'], []]) {
      const out = join(tmp, `softmax-${chunking.length}-${name}`);
      const r = await run('softmax', fixture(name), out, ...options, ...chunking);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^${log ? 'logSoftmax' : 'softmax'}: wrote `));
      const got = await readNpy(out);
      expect(got.header).toMatchObject({ descr: header.descr, shape: header.shape });
      const args = Array.from(x, (v, i) => {
        let max = -Infinity;
        const start = i - (i % cols);
        for (let c = start; c < start + cols; c++) max = Math.max(max, x[c]);
        return (max - v) / temperature;
      });
      if (log) expectLogs(got.data as FloatArray, want, 'logSoftmax');
      else expectProbs(got.data as FloatArray, want, args, 'softmax');
    }
  });
});

describe('bad input: exit code 1 and a message naming the file and the problem', () => {
  const f32 = readFileSync(fixture('logits-f32.npy'));
  const bad = (name: string, bytes: Uint8Array) => {
    const path = join(tmp, name);
    writeFileSync(path, bytes);
    return path;
  };
  const truncated = bad('truncated.npy', f32.subarray(0, f32.length - 8));
  const textFile = bad('text.npy', new TextEncoder().encode('0.1,0.2\n'));
  const v4 = bad('v4.npy', Uint8Array.from([...f32.subarray(0, 6), 4, 0, ...f32.subarray(8)]));
  const outOfRange = bad('out-of-range.npy', encodeNpy(new Int32Array(23).fill(1).fill(7, 11, 12), [23]));
  const negative = bad('negative.npy', encodeNpy(new Int8Array(23).fill(-1, 4), [23]));
  const short = bad('short.npy', encodeNpy(new Int32Array(22), [22]));
  const labels2d = bad('labels-2d.npy', encodeNpy(new Int32Array(23), [23, 1]));
  const noClasses = bad('no-classes.npy', encodeNpy(new Float32Array(0), [3, 0]));
  const logits = fixture('logits-f32.npy');
  const cases: [string, string[], string][] = [
    ['a missing file', ['score', join(tmp, 'missing.npy')], `cannot open ${join(tmp, 'missing.npy')}: no such file or directory`],
    ['a directory', ['score', tmp], `cannot read ${tmp}: is a directory`],
    ['not a .npy file', ['score', textFile], `${textFile}: not a NumPy .npy file`],
    ['an unsupported version', ['score', v4], `${v4}: unsupported .npy format version 4.0`],
    ['Fortran order', ['score', fixture('small-fortran.npy')], 'small-fortran.npy: Fortran-order (column-major) data are not supported'],
    ['big-endian data', ['score', fixture('small-big-endian.npy')], "small-big-endian.npy: big-endian data ('>f4') are not supported"],
    ['a wrong dtype', ['score', fixture('small-f16.npy')], "small-f16.npy: logits must be float32 or float64 ('<f4', '<f8'), got dtype '<f2'"],
    ['three dimensions', ['score', fixture('small-3d.npy')], 'small-3d.npy: logits must have shape [rows, cols] or [cols], got (2, 3, 2)'],
    ['no classes', ['score', noClasses], `${noClasses}: logits have no classes (shape (3, 0))`],
    ['a truncated file', ['score', truncated], `${truncated}: truncated: shape (23, 7) of '<f4' needs 644 bytes of data, the file holds 636`],
    ['float labels', ['score', logits, '--labels', fixture('labels-f32.npy')], "labels-f32.npy: labels must be int8, uint8, int16, uint16, int32, uint32, int64 or uint64"],
    ['2-D labels', ['score', logits, '--labels', labels2d], `${labels2d}: labels must have shape [rows], got (23, 1)`],
    ['fewer labels than rows', ['score', logits, '--labels', short], `${short}: 22 labels for the 23 rows of ${logits}`],
    ['a label out of range', ['score', logits, '--labels', outOfRange], `${outOfRange}: label 7 at row 11 is outside [0, 7)`],
    ['a negative label', ['score', logits, '--labels', negative], `${negative}: label -1 at row 4 is outside [0, 7)`],
    ['a missing labels file', ['score', logits, '--labels', join(tmp, 'nope.npy')], `cannot open ${join(tmp, 'nope.npy')}`],
    ['softmax of a truncated file', ['softmax', truncated, join(tmp, 'never.npy')], `${truncated}: truncated`],
    ['an output directory that does not exist', ['score', logits, '--out', join(tmp, 'no', 'p.npy')], `cannot write ${join(tmp, 'no', 'p.npy')}: folder ${join(tmp, 'no')} does not exist`],
  ];

  it('every case, and no output file is left', async () => {
    const dir = join(tmp, 'bad-out');
    mkdirSync(dir);
    // score gets an --out in `dir` (but for the case about --out), which must stay empty
    const withOut = (args: string[], i: number) => (args[0] === 'score' && !args.includes('--out') ? [...args, '--out', join(dir, `o${i}.json`)] : args);
    const results = await Promise.all(cases.map(([, args], i) => run(...withOut(args, i))));
    for (const [i, [what, , message]] of cases.entries()) {
      const result = results[i];
      expect(result.code, `${what}: ${result.stderr}`).toBe(1);
      expect(result.stderr, what).toMatch(/^softmax-simd: [^\n]*\n$/);
      expect(result.stderr, what).toContain(message);
      expect(result.stdout, what).toBe('');
    }
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(tmp)).not.toContain('never.npy');
  });
});

describe('usage', () => {
  it('usage errors exit 2 with one line and a hint to --help', async () => {
    const logits = fixture('logits-f32.npy');
    const cases: [string[], string][] = [
      [[], "softmax-simd: missing command (score, softmax or bench) (see 'softmax-simd --help')"],
      [['frobnicate'], "softmax-simd: unknown command 'frobnicate' (score, softmax or bench) (see 'softmax-simd --help')"],
      [['--frob'], "unknown option '--frob'"],
      [['score'], "softmax-simd: score: missing LOGITS.npy (see 'softmax-simd score --help')"],
      [['score', logits, 'extra'], "score: unexpected argument 'extra'"],
      [['score', logits, '--frob'], "score: unknown option '--frob'"],
      [['score', logits, '--top-k', '0'], "score: --top-k must be a positive integer, got '0'"],
      [['score', logits, '--top-k', '1.5'], "score: --top-k must be a positive integer, got '1.5'"],
      [['score', logits, '--top-k', '8'], `score: --top-k (8) must be at most the number of classes (7) in ${logits}`],
      [['score', logits, '--top-k'], "score: option '--top-k' needs a value"],
      [['score', logits, '--threads', 'x'], "score: --threads must be an integer from 1 to 1024, got 'x'"],
      [['score', logits, '--threads', '0'], "score: --threads must be an integer from 1 to 1024, got '0'"],
      [['score', logits, '--threads', '2000'], "score: --threads must be an integer from 1 to 1024, got '2000'"],
      [['score', logits, '--labels', fixture('labels-i1.npy'), '--out', fixture('labels-i1.npy')], `score: --out would overwrite the input ${fixture('labels-i1.npy')}`],
      [['score', logits, '--out', logits], `score: --out would overwrite the input ${logits}`],
      [['score', logits, '--chunk-rows', '-3'], "score: option '--chunk-rows' needs a value (for one starting with '-', write --chunk-rows=VALUE)"],
      [['score', logits, '--chunk-rows=-3'], "score: --chunk-rows must be a positive integer, got '-3'"],
      [['score', logits, '--out', 'preds.txt'], "score: --out must name a .npy or .json file, or be '-', got 'preds.txt'"],
      [['score', '-', '--labels', '-'], "score: only one input can be '-' (standard input)"],
      [['score', logits, '--json=yes'], "score: option '--json' takes no value"],
      [['softmax', logits], 'softmax: missing OUT.npy'],
      [['softmax', logits, 'o.npy', '--temperature', '0'], "softmax: --temperature must be a finite decimal number of at least 5.6e-309, got '0'"],
      [['softmax', logits, 'o.npy', '--temperature', 'inf'], "softmax: --temperature must be a finite decimal number of at least 5.6e-309, got 'inf'"],
      [['softmax', logits, 'o.npy', '--temperature', '0x10'], "got '0x10'"],
      [['softmax', logits, 'o.npy', '--temperature', ' 1'], "got ' 1'"],
      [['softmax', logits, 'o.npy', '--temperature', '1e-310'], "got '1e-310'"],
      [['softmax', logits, 'o.npy', '--temperature', 'Infinity'], "got 'Infinity'"],
      [['bench', 'now'], "bench: unexpected argument 'now'"],
      [['help', 'frob'], "unknown command 'frob'"],
    ];
    const results = await Promise.all(cases.map(([args]) => run(...args)));
    for (const [i, [args, message]] of cases.entries()) {
      const r = results[i];
      const what = args.join(' ');
      expect(r.code, `${what}: ${r.stderr}`).toBe(2);
      expect(r.stderr, what).toMatch(/^softmax-simd: .* \(see 'softmax-simd( \w+)? --help'\)\n$/);
      expect(r.stderr, what).toContain(message);
      expect(r.stdout, what).toBe('');
    }
  });

  it('--help for the program and each command, and --version, exit 0', async () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { version: string };
    const cases: [string[], RegExp][] = [
      [['--help'], /^Usage: softmax-simd <command>/],
      [['-h'], /^Usage: softmax-simd <command>/],
      [['help'], /^Usage: softmax-simd <command>/],
      [['score', '--help'], /^Usage: softmax-simd score LOGITS\.npy[^]*--out FILE\.npy[^]*FILE\.topk-values\.npy[^]*--out FILE\.json/],
      [['help', 'score'], /^Usage: softmax-simd score/],
      [['softmax', '-h'], /^Usage: softmax-simd softmax IN\.npy OUT\.npy/],
      [['bench', '--help'], /^Usage: softmax-simd bench/],
      [['score', 'ignored.npy', '--top-k', '0', '--help'], /^Usage: softmax-simd score/],
      [['--version'], new RegExp(`^${pkg.version.replaceAll('.', '\\.')}\n$`)],
    ];
    const results = await Promise.all(cases.map(([args]) => run(...args)));
    for (const [i, [args, pattern]] of cases.entries()) {
      expect(results[i].code, args.join(' ')).toBe(0);
      expect(results[i].stdout, args.join(' ')).toMatch(pattern);
      expect(results[i].stderr).toBe('');
    }
  });
});

describe('interrupting', () => {
  // What timeout, docker stop, systemd and Kubernetes send, and the terminal's own signals.
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
    ['SIGQUIT', 131],
  ] as const)('%s stops cleanly with exit code %i and leaves no output', async (signal, exitCode) => {
    const rows = 100_000;
    const input = join(tmp, 'long.npy');
    writeFileSync(input, encodeNpy(new Float32Array(rows * 4).map((_, i) => Math.sin(i)), [rows, 4]));
    const dir = mkdtempSync(join(tmp, `${signal}-`));
    for (const args of [
      ['score', input, '--top-k', '2', '--chunk-rows', '1', '--out', join(dir, 'p.json')],
      ['softmax', input, join(dir, 'p.npy'), '--chunk-rows', '1'],
    ]) {
      const child = spawn(process.execPath, [cli, ...args]);
      let stderr = '';
      const code = await new Promise<number | null>((resolve) => {
        child.stderr.on('data', (data: Buffer) => {
          if (stderr === '') child.kill(signal); // after the first progress line: work is under way
          stderr += data.toString();
        });
        child.on('close', resolve);
      });
      expect(code, stderr).toBe(exitCode);
      expect(stderr).toMatch(new RegExp(`softmax-simd: interrupted by ${signal}\n$`));
      expect(readdirSync(dir)).toEqual([]);
    }
  });
});

describe('bench', () => {
  it('--quick --json runs every function on both paths', async () => {
    const r = await run('bench', '--quick', '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { backend: { isa: string }; results: { op: string; dtype: string; native: { melemPerSec: number } }[] };
    expect(typeof result.backend.isa).toBe('string');
    expect(result.results.map((x) => `${x.op} ${x.dtype}`)).toEqual(
      ['float32', 'float64'].flatMap((dt) => ['softmax', 'logSumExp', 'crossEntropyWithGrad', 'score'].map((op) => `${op} ${dt}`)),
    );
    expect(result.results.every((x) => x.native.melemPerSec > 0)).toBe(true);
  }, 20_000);
});

describe('pieces', () => {
  /** A fake stderr and clock; returns what was written at each step. */
  function progress(mode: ProgressMode, total: number, steps: [number, number][]) {
    let now = 0;
    const writes: string[] = [];
    const p = new Progress({ label: 'score', total, mode, stream: { write: (t: string) => writes.push(t), columns: 100 }, now: () => now });
    for (const [t, done] of steps) {
      now = t;
      p.update(done);
    }
    p.finish();
    return writes;
  }

  it('progress lines: at most one per 10 % or per 5 s; the bar at most every 100 ms; nothing when quiet', () => {
    const lines = progress('lines', 1000, [
      [100, 10],
      [200, 50],
      [300, 120],
      [400, 150],
      [6000, 160],
      [7000, 170],
      [8000, 1000],
    ]);
    expect(lines.map((l) => l.replace(/ \(.*/, ''))).toEqual(['softmax-simd: score: 1%\n', 'softmax-simd: score: 12%\n', 'softmax-simd: score: 16%\n', 'softmax-simd: score: 100%\n']);
    const bar = progress('bar', 1000, [
      [0, 1],
      [50, 2],
      [150, 500],
      [160, 600],
      [170, 1000],
    ]);
    expect(bar).toHaveLength(4); // 0 ms, 150 ms, the last (always drawn), then the newline
    expect(bar[1]).toMatch(/^\rscore \[#+\.+\]  50\.0%  500\/1,000 rows  3\.33k rows\/s  ETA 0:00\x1b\[K$/);
    expect(bar[3]).toBe('\n');
    expect(progress('none', 1000, [[0, 500], [9000, 1000]])).toEqual([]);
  });

  it('float32 values in JSON: the fewest digits that read back as the same float32', () => {
    expect(float32Text(Math.fround(0.1))).toBe('0.1');
    expect(float32Text(Math.fround(1 / 3))).toBe('0.33333334');
    expect(float32Text(1)).toBe('1');
    expect(float32Text(Math.fround(1e-30))).toBe('1e-30');
    expect([NaN, Infinity, -Infinity].map(float32Text)).toEqual(['null', 'null', 'null']);
    const x = new Float32Array(2000).map((_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 20) - 10));
    for (const v of x) expect(Math.fround(Number(float32Text(v)))).toBe(v);
  });
});
