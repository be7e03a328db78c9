// Where `score --out FILE` writes, chosen by FILE's extension; written chunk by chunk under
// temporary names, renamed into place only when the whole run succeeded.
//
// .npy: FILE = predictions, int32 [rows] (−1 for a row with a NaN); beside it, with FILE's stem
//   <stem>.confidence.npy     max probability, the logits' dtype [rows]
//   <stem>.nll.npy            (with --labels) per-row negative log-likelihood, dtype [rows]
//   <stem>.topk-indices.npy   (with --top-k K) int32 [rows, K], best first
//   <stem>.topk-values.npy    (with --top-k K) their probabilities, dtype [rows, K]
// .json: one document {"predictions": [...], "confidence": [...], "nll": [...] (with --labels),
//   "topK": {"indices": [[...], ...], "values": [[...], ...]} (with --top-k), "summary": {...}},
//   one top-level key per line; NaN and ±Infinity are written as null; float32 values with the
//   fewest digits that read back as the same float32. Each array goes to a temporary part file
//   as its chunks come; at the end the parts are joined into FILE (memory stays bounded).
import { open } from 'node:fs/promises';
import type { FloatArray } from '../types.js';
import { AtomicFile } from './atomic-file.js';
import { fileError } from './errors.js';
import { type NpyDtype, NpyWriter } from './npy.js';

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

/** The .npy output files for FILE: [key, path] in writing order. */
export function npyOutputPaths(path: string, k: number | undefined, labels: boolean): [keyof ScoreChunk | 'topKIndices' | 'topKValues', string][] {
  const stem = path.replace(/\.npy$/i, '');
  const paths: [keyof ScoreChunk | 'topKIndices' | 'topKValues', string][] = [
    ['predictions', path],
    ['confidence', `${stem}.confidence.npy`],
  ];
  if (labels) paths.push(['nll', `${stem}.nll.npy`]);
  if (k !== undefined) paths.push(['topKIndices', `${stem}.topk-indices.npy`], ['topKValues', `${stem}.topk-values.npy`]);
  return paths;
}

export async function createScoreSink(path: string, options: ScoreSinkOptions): Promise<ScoreSink> {
  return outputFormat(path) === 'json' ? JsonSink.create(path, options) : NpySink.create(path, options);
}

class NpySink implements ScoreSink {
  private constructor(private readonly writers: Map<string, NpyWriter>) {}

  get paths(): string[] {
    return [...this.writers.values()].map((w) => w.path);
  }

  static async create(path: string, { rows, dtype, k, labels }: ScoreSinkOptions): Promise<NpySink> {
    const writers = new Map<string, NpyWriter>();
    try {
      for (const [key, file] of npyOutputPaths(path, k, labels)) {
        const [type, shape] = key === 'predictions' ? ['i4' as const, [rows]] : key === 'topKIndices' ? ['i4' as const, [rows, k ?? 0]]
          : key === 'topKValues' ? [dtype, [rows, k ?? 0]] : [dtype, [rows]];
        writers.set(key, await NpyWriter.create(file, type, shape));
      }
    } catch (error) {
      await Promise.all([...writers.values()].map((w) => w.abort()));
      throw error;
    }
    return new NpySink(writers);
  }

  async write(chunk: ScoreChunk): Promise<void> {
    for (const [key, writer] of this.writers) {
      const data =
        key === 'topKIndices' ? chunk.topK?.indices : key === 'topKValues' ? chunk.topK?.values : chunk[key as 'predictions' | 'confidence' | 'nll'];
      if (!data) throw new Error(`score returned no ${key}`);
      await writer.append(data);
    }
  }

  async commit(): Promise<void> {
    for (const writer of this.writers.values()) await writer.commit();
  }

  async abort(): Promise<void> {
    await Promise.all([...this.writers.values()].map((w) => w.abort()));
  }
}

/** A JSON array written element by element into a part file. */
class JsonPart {
  private empty = true;

  constructor(
    readonly key: string,
    readonly file: AtomicFile,
  ) {}

  /** Appends the elements of `text` (comma-separated, without brackets). */
  async append(text: string): Promise<void> {
    if (text === '') return;
    await this.file.write(Buffer.from(this.empty ? text : `,${text}`));
    this.empty = false;
  }
}

class JsonSink implements ScoreSink {
  private constructor(
    private readonly target: AtomicFile,
    private readonly parts: JsonPart[],
    private readonly k: number | undefined,
  ) {}

  get paths(): string[] {
    return [this.target.path];
  }

  static async create(path: string, { k, labels }: ScoreSinkOptions): Promise<JsonSink> {
    const keys = ['predictions', 'confidence', ...(labels ? ['nll'] : []), ...(k !== undefined ? ['topKIndices', 'topKValues'] : [])];
    const files: AtomicFile[] = [];
    try {
      files.push(await AtomicFile.create(path));
      for (const key of keys) files.push(await AtomicFile.create(`${path}.${key}`));
    } catch (error) {
      await Promise.all(files.map((f) => f.abort()));
      throw error;
    }
    const [target, ...partFiles] = files;
    return new JsonSink(target, partFiles.map((f, i) => new JsonPart(keys[i], f)), k);
  }

  async write(chunk: ScoreChunk): Promise<void> {
    for (const part of this.parts) {
      switch (part.key) {
        case 'predictions':
          await part.append(chunk.predictions.join(','));
          break;
        case 'topKIndices':
          await part.append(rowsText(chunk.topK?.indices, this.k ?? 0, String));
          break;
        case 'topKValues':
          await part.append(rowsText(chunk.topK?.values, this.k ?? 0, numberFormat(chunk.confidence)));
          break;
        default:
          await part.append(listText(chunk[part.key as 'confidence' | 'nll'], numberFormat(chunk.confidence)));
      }
    }
  }

  async commit(summary: object): Promise<void> {
    const lines: (string | JsonPart)[] = [];
    for (const part of this.parts) {
      if (part.key === 'topKValues') continue;
      if (part.key === 'topKIndices') {
        const values = this.parts.find((p) => p.key === 'topKValues');
        lines.push('"topK":{"indices":[', part, '],"values":[', values ?? '', ']},\n');
      } else {
        lines.push(`"${part.key}":[`, part, '],\n');
      }
    }
    await this.target.write(Buffer.from('{'));
    for (const item of lines) {
      if (typeof item === 'string') await this.target.write(Buffer.from(item));
      else await copyPart(item, this.target);
    }
    await this.target.write(Buffer.from(`"summary":${JSON.stringify(summary)}}\n`));
    await this.target.commit();
    await Promise.all(this.parts.map((p) => p.file.abort()));
  }

  async abort(): Promise<void> {
    await Promise.all([this.target, ...this.parts.map((p) => p.file)].map((f) => f.abort()));
  }
}

/** Copies a finished part file into the target, 1 MiB at a time. */
async function copyPart(part: JsonPart, target: AtomicFile): Promise<void> {
  const buffer = new Uint8Array(2 ** 20);
  let handle;
  try {
    handle = await open(part.file.tempPath, 'r');
  } catch (error) {
    throw fileError(error, 'read back', part.file.tempPath);
  }
  try {
    for (let position = 0; position < part.file.size; ) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      await target.write(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

type Format = (v: number) => string;

function listText(values: FloatArray | undefined, format: Format): string {
  if (!values) throw new Error('score returned fewer outputs than asked for');
  let text = '';
  for (let i = 0; i < values.length; i++) text += (i ? ',' : '') + format(values[i]);
  return text;
}

/** Rows of k values as JSON arrays: "[a,b],[c,d]". */
function rowsText(values: ArrayLike<number> | undefined, k: number, format: Format): string {
  if (!values) throw new Error('score returned no topK');
  let text = '';
  for (let start = 0; start < values.length; start += k) {
    text += start ? ',[' : '[';
    for (let j = 0; j < k; j++) text += (j ? ',' : '') + format(values[start + j]);
    text += ']';
  }
  return text;
}

function numberFormat(like: FloatArray): Format {
  return like instanceof Float32Array ? float32Text : float64Text;
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
