// Where `score --out FILE` writes, chosen by FILE's extension; written chunk by chunk to the
// outputs planned before the run (output.ts: files under temporary names, renamed into place only
// when the whole run succeeded; streams directly).
//
// .npy: FILE = predictions, int32 [rows] (−1 for a row with a NaN); beside it, with FILE's stem
//   <stem>.confidence.npy     max probability, the logits' dtype [rows]
//   <stem>.nll.npy            (with --labels) per-row negative log-likelihood, dtype [rows]
//   <stem>.topk-indices.npy   (with --top-k K) int32 [rows, K], best first
//   <stem>.topk-values.npy    (with --top-k K) their probabilities, dtype [rows, K]
// .json (or '-': standard output): one document {"predictions": [...], "confidence": [...],
//   "nll": [...] (with --labels), "topK": {"indices": [[...], ...], "values": [[...], ...]}
//   (with --top-k), "summary": {...}}, one top-level key per line; NaN and ±Infinity are written
//   as null; float32 values with the fewest digits that read back as the same float32. Each array
//   goes to a scratch file as its chunks come; at the end the parts are joined into FILE (memory
//   stays bounded).
import type { FloatArray } from '../types.js';
import { type NpyDtype, NpyWriter } from './npy.js';
import { type OutputPlan, STDIO, displayName, openOutput } from './output.js';
import { type ScratchFolder, ScratchFile, scratchFolder } from './scratch-file.js';

/** One chunk's results, as `score` returns them. */
export interface ScoreChunk {
  predictions: Int32Array;
  confidence: FloatArray;
  nll?: FloatArray;
  topK?: { indices: Int32Array; values: FloatArray };
}

export interface ScoreSink {
  /** The files it writes (final names). */
  readonly paths: readonly string[];
  write(chunk: ScoreChunk): Promise<void>;
  /** Finishes every file (the JSON document gets `summary` last) and renames it into place. */
  commit(summary: object): Promise<void>;
  /** Deletes every temporary file; never throws. */
  abort(): Promise<void>;
}

export interface ScoreSinkOptions {
  rows: number;
  /** The logits' dtype: 'f4' or 'f8'. */
  dtype: NpyDtype;
  /** --top-k, when given. */
  k?: number;
  labels: boolean;
}

export type OutputFormat = 'npy' | 'json';

/** The format FILE's extension names, or undefined. */
export function outputFormat(path: string): OutputFormat | undefined {
  const m = /\.(npy|json)$/i.exec(path);
  return m ? (m[1].toLowerCase() as OutputFormat) : undefined;
}

/** One per-row output: its .npy file's suffix after the stem, its dtype and shape, and where a chunk has it. */
interface OutputArray {
  key: 'predictions' | 'confidence' | 'nll' | 'topKIndices' | 'topKValues';
  suffix: string;
  dtype: NpyDtype;
  shape: number[];
  /** Written as one JSON array per row (rows × k), or as one flat array. */
  matrix: boolean;
  pick(chunk: ScoreChunk): Int32Array | FloatArray | undefined;
}

/** The outputs of a run, in writing order. */
function outputArrays({ rows, dtype, k, labels }: ScoreSinkOptions): OutputArray[] {
  const arrays: OutputArray[] = [
    { key: 'predictions', suffix: '', dtype: 'i4', shape: [rows], matrix: false, pick: (c) => c.predictions },
    { key: 'confidence', suffix: '.confidence', dtype, shape: [rows], matrix: false, pick: (c) => c.confidence },
  ];
  if (labels) arrays.push({ key: 'nll', suffix: '.nll', dtype, shape: [rows], matrix: false, pick: (c) => c.nll });
  if (k !== undefined) {
    arrays.push(
      { key: 'topKIndices', suffix: '.topk-indices', dtype: 'i4', shape: [rows, k], matrix: true, pick: (c) => c.topK?.indices },
      { key: 'topKValues', suffix: '.topk-values', dtype, shape: [rows, k], matrix: true, pick: (c) => c.topK?.values },
    );
  }
  return arrays;
}

function npyPath(path: string, suffix: string): string {
  return suffix === '' ? path : `${path.replace(/\.npy$/i, '')}${suffix}.npy`;
}

/** The paths `--out path` writes: '-' (the JSON document on standard output), one .json, or the .npy files. */
export function outputPaths(path: string, options: ScoreSinkOptions): string[] {
  return path === STDIO || outputFormat(path) === 'json' ? [path] : outputArrays(options).map((a) => npyPath(path, a.suffix));
}

function picked(array: OutputArray, chunk: ScoreChunk): Int32Array | FloatArray {
  const data = array.pick(chunk);
  if (!data) throw new Error(`score returned no ${array.key}`);
  return data;
}

/** A sink for the planned outputs of outputPaths(), in their order. */
export async function createScoreSink(plans: OutputPlan[], options: ScoreSinkOptions): Promise<ScoreSink> {
  return plans.length === 1 && (plans[0].path === STDIO || outputFormat(plans[0].path) === 'json')
    ? JsonSink.create(plans[0], options)
    : NpySink.create(plans, options);
}

class NpySink implements ScoreSink {
  private constructor(private readonly writers: [OutputArray, NpyWriter][]) {}

  get paths(): string[] {
    return this.writers.map(([, w]) => w.path);
  }

  static async create(plans: OutputPlan[], options: ScoreSinkOptions): Promise<NpySink> {
    const writers: [OutputArray, NpyWriter][] = [];
    try {
      for (const [i, array] of outputArrays(options).entries()) {
        writers.push([array, await NpyWriter.create(plans[i], array.dtype, array.shape)]);
      }
    } catch (error) {
      await Promise.all(writers.map(([, w]) => w.abort()));
      throw error;
    }
    return new NpySink(writers);
  }

  async write(chunk: ScoreChunk): Promise<void> {
    for (const [array, writer] of this.writers) await writer.append(picked(array, chunk));
  }

  async commit(): Promise<void> {
    for (const [, writer] of this.writers) await writer.commit();
  }

  async abort(): Promise<void> {
    await Promise.all(this.writers.map(([, w]) => w.abort()));
  }
}

/** A JSON array written chunk by chunk into a scratch file. */
class JsonPart {
  private empty = true;

  constructor(
    readonly array: OutputArray,
    readonly file: ScratchFile,
  ) {}

  /** Appends a chunk's elements. */
  async append(chunk: ScoreChunk): Promise<void> {
    const data = picked(this.array, chunk);
    if (data.length === 0) return;
    const format = data instanceof Int32Array ? String : data instanceof Float32Array ? float32Text : float64Text;
    const text = this.array.matrix ? rowsText(data, this.array.shape[1], format) : listText(data, format);
    await this.file.append(Buffer.from(this.empty ? text : `,${text}`));
    this.empty = false;
  }
}

/**
 * The JSON document: its arrays go to scratch files as the chunks come, and are joined into the
 * output at the end, so memory stays bounded and the output (a file, or a stream) is written in
 * one pass.
 */
class JsonSink implements ScoreSink {
  private constructor(
    private readonly plan: OutputPlan,
    private readonly folder: ScratchFolder,
    private readonly parts: JsonPart[],
  ) {}

  get paths(): string[] {
    return [displayName(this.plan)];
  }

  static async create(plan: OutputPlan, options: ScoreSinkOptions): Promise<JsonSink> {
    const folder = await scratchFolder(plan);
    const parts: JsonPart[] = [];
    try {
      for (const array of outputArrays(options)) parts.push(new JsonPart(array, await ScratchFile.create(folder, plan.path)));
    } catch (error) {
      await Promise.all(parts.map((p) => p.file.dispose()));
      await folder.dispose();
      throw error;
    }
    return new JsonSink(plan, folder, parts);
  }

  async write(chunk: ScoreChunk): Promise<void> {
    for (const part of this.parts) await part.append(chunk);
  }

  /** Joins the parts into the document: one top-level key per line, the summary last. */
  async commit(summary: object): Promise<void> {
    const part = (key: OutputArray['key']) => this.parts.find((p) => p.array.key === key);
    const pieces: (string | JsonPart | undefined)[] = ['{'];
    for (const key of ['predictions', 'confidence', 'nll'] as const) {
      if (part(key)) pieces.push(`"${key}":[`, part(key), '],\n');
    }
    if (part('topKIndices')) pieces.push('"topK":{"indices":[', part('topKIndices'), '],"values":[', part('topKValues'), ']},\n');
    pieces.push(`"summary":${JSON.stringify(summary)}}\n`);
    const target = await openOutput(this.plan);
    try {
      for (const piece of pieces) {
        if (typeof piece === 'string') await target.write(Buffer.from(piece));
        else if (piece) await piece.file.copyTo(target);
      }
      await target.commit();
    } catch (error) {
      await target.abort();
      throw error;
    } finally {
      await this.abort();
    }
  }

  async abort(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.file.dispose()));
    await this.folder.dispose();
  }
}

type Format = (v: number) => string;

function listText(values: ArrayLike<number>, format: Format): string {
  let text = '';
  for (let i = 0; i < values.length; i++) text += (i ? ',' : '') + format(values[i]);
  return text;
}

/** Rows of k values as JSON arrays: "[a,b],[c,d]". */
function rowsText(values: ArrayLike<number>, k: number, format: Format): string {
  let text = '';
  for (let start = 0; start < values.length; start += k) {
    text += start ? ',[' : '[';
    for (let j = 0; j < k; j++) text += (j ? ',' : '') + format(values[start + j]);
    text += ']';
  }
  return text;
}

/** A float64 as JSON: its shortest round-trip form, or null for NaN and ±Infinity. */
export function float64Text(v: number): string {
  return Number.isFinite(v) ? String(v) : 'null';
}

/**
 * A float32 as JSON with the fewest significant digits (1 to 9) that read back as the same
 * float32 (0.1f is "0.1", not "0.10000000149011612"); null for NaN and ±Infinity.
 */
export function float32Text(v: number): string {
  if (!Number.isFinite(v)) return 'null';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  let lo = 1, hi = 9; // 9 digits always round-trip; fewer digits that do form a suffix of 1..9
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(Number(v.toPrecision(mid))) === v) hi = mid;
    else lo = mid + 1;
  }
  return String(Number(v.toPrecision(lo)));
}
