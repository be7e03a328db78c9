// NumPy .npy files: the header (format versions 1.0, 2.0 and 3.0), a reader that reads any range
// of elements into a buffer the caller owns (so chunks stream with bounded memory), and a writer
// that writes the header first and appends the data chunk by chunk.
//
// The format (numpy/lib/format.py): the magic "\x93NUMPY", a major and a minor version byte, the
// header's length (uint16 LE in 1.0, uint32 LE in 2.0 and 3.0), then the header: a Python dict
// literal {'descr': '<f4', 'fortran_order': False, 'shape': (rows, cols), } in latin-1 (UTF-8 in
// 3.0), padded with spaces and a final '\n' so the data starts on a 64-byte boundary. The data
// follow: the elements in C (row-major) or Fortran order. Only little-endian data are read as
// typed arrays, so this module refuses to run on a big-endian host.
import { endianness } from 'node:os';
import { type ByteSource, MemorySource, openSource } from './byte-source.js';
import { type Output, type OutputPlan, openOutput } from './output.js';
import { InputError, fileError } from './errors.js';

/** The element types this module reads and writes (little-endian; one byte needs no order). */
export type NpyDtype = 'f4' | 'f8' | 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4' | 'i8' | 'u8';

export type NpyArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

type ArrayMaker = new (buffer: ArrayBuffer, byteOffset: number, length: number) => NpyArray;

const dtypes: Record<NpyDtype, { descr: string; size: number; array: ArrayMaker; name: string }> = {
  f4: { descr: '<f4', size: 4, array: Float32Array, name: 'float32' },
  f8: { descr: '<f8', size: 8, array: Float64Array, name: 'float64' },
  i1: { descr: '|i1', size: 1, array: Int8Array, name: 'int8' },
  u1: { descr: '|u1', size: 1, array: Uint8Array, name: 'uint8' },
  i2: { descr: '<i2', size: 2, array: Int16Array, name: 'int16' },
  u2: { descr: '<u2', size: 2, array: Uint16Array, name: 'uint16' },
  i4: { descr: '<i4', size: 4, array: Int32Array, name: 'int32' },
  u4: { descr: '<u4', size: 4, array: Uint32Array, name: 'uint32' },
  i8: { descr: '<i8', size: 8, array: BigInt64Array, name: 'int64' },
  u8: { descr: '<u8', size: 8, array: BigUint64Array, name: 'uint64' },
};

/** Bytes per element. */
export function itemSize(dtype: NpyDtype): number {
  return dtypes[dtype].size;
}

/** NumPy's name of the type: 'float32', 'int64', … */
export function dtypeName(dtype: NpyDtype): string {
  return dtypes[dtype].name;
}

/** The dtype of a typed array. */
export function dtypeOf(array: NpyArray): NpyDtype {
  for (const key of Object.keys(dtypes) as NpyDtype[]) {
    if (array.constructor === dtypes[key].array) return key;
  }
  throw new TypeError(`no .npy dtype for ${array.constructor.name}`);
}

/** A typed array of `dtype` over `buffer` (whose byteOffset must be a multiple of the item size). */
export function arrayOf(dtype: NpyDtype, buffer: ArrayBuffer, byteOffset: number, length: number): NpyArray {
  return new dtypes[dtype].array(buffer, byteOffset, length);
}

export interface NpyHeader {
  /** The format version, '1.0', '2.0' or '3.0'. */
  version: string;
  /** The header's 'descr' as written: '<f4', '>i8', or a list for a structured dtype. */
  descr: unknown;
  /** The element type, when this module reads it (little-endian and one of NpyDtype). */
  dtype: NpyDtype | undefined;
  fortranOrder: boolean;
  shape: number[];
  /** Elements: the product of the shape. */
  size: number;
  /** Where the data start: magic, version, length field and padded header. */
  dataOffset: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Bytes enough to know a header's total length: magic, version and a 4-byte length. */
export const NPY_PREFIX_BYTES = 12;

/**
 * The total length of the header (= where the data start) from the file's first bytes (at least
 * 10, or 12 for versions 2.0 and 3.0). Throws an InputError for a bad magic or an unknown version.
 */
export function npyHeaderLength(bytes: Uint8Array, file: string): number {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new InputError(`${file}: not a NumPy .npy file (it does not start with the magic "\\x93NUMPY")`);
  }
  const major = bytes[6], minor = bytes[7];
  if (minor !== 0 || major < 1 || major > 3) {
    throw new InputError(`${file}: unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);
  }
  const fieldBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + fieldBytes) throw new InputError(`${file}: truncated .npy header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  return 8 + fieldBytes + length;
}

/** Parses the header at the start of `bytes` (which may hold data after it). */
export function parseNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  const dataOffset = npyHeaderLength(bytes, file);
  if (bytes.length < dataOffset) throw new InputError(`${file}: truncated .npy header`);
  const major = bytes[6];
  const start = major === 1 ? 10 : 12;
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, dataOffset));
  let dict: unknown;
  try {
    dict = parsePythonLiteral(text);
  } catch (error) {
    throw new InputError(`${file}: cannot parse the .npy header (${(error as Error).message}): ${JSON.stringify(text.trim())}`);
  }
  if (!(dict instanceof Map)) throw new InputError(`${file}: the .npy header is not a dict: ${JSON.stringify(text.trim())}`);
  const descr = dict.get('descr'), fortran = dict.get('fortran_order'), shape = dict.get('shape');
  if (descr === undefined || typeof fortran !== 'boolean' || !isShape(shape)) {
    throw new InputError(`${file}: the .npy header lacks a valid 'descr', 'fortran_order' or 'shape': ${JSON.stringify(text.trim())}`);
  }
  let size = 1;
  for (const n of shape) size *= n;
  if (!Number.isSafeInteger(size)) throw new InputError(`${file}: shape ${shapeText(shape)} is too large`);
  return { version: `${major}.0`, descr, dtype: dtypeOfDescr(descr), fortranOrder: fortran, shape, size, dataOffset };
}

function isShape(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((n) => Number.isSafeInteger(n) && n >= 0);
}

/** The dtype of a descr string NumPy writes ('<f4', '|u1', …); undefined for others and big-endian. */
function dtypeOfDescr(descr: unknown): NpyDtype | undefined {
  if (typeof descr !== 'string') return undefined;
  const m = /^([<>|=])([fiu])(\d+)$/.exec(descr);
  if (!m) return undefined;
  const key = `${m[2]}${m[3]}`;
  if (!Object.hasOwn(dtypes, key)) return undefined;
  const dtype = key as NpyDtype;
  return m[1] === '>' && dtypes[dtype].size > 1 ? undefined : dtype;
}

/** A shape as Python writes it: (3, 4), (7,), (). */
export function shapeText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** What an array must be; `checkNpy` names the first way a file's header differs. */
export interface NpyExpectation {
  /** What the array is, for messages: 'logits', 'labels'. */
  role: string;
  dtypes: readonly NpyDtype[];
  /** Accepted numbers of dimensions, with how to say them: [[2, '[rows, cols]'], [1, '[cols]']]. */
  dims: readonly (readonly [number, string])[];
}

/** Throws an InputError naming the file and the problem when the header does not meet `expect`. */
export function checkNpy(header: NpyHeader, file: string, expect: NpyExpectation): NpyDtype {
  const { descr } = header;
  const names = expect.dtypes.map((d) => dtypes[d].name);
  const wanted = `${names.slice(0, -1).join(', ')}${names.length > 1 ? ' or ' : ''}${names[names.length - 1]}`;
  if (typeof descr !== 'string') {
    throw new InputError(`${file}: ${expect.role} must be ${wanted}; structured dtypes are not supported`);
  }
  if (descr.startsWith('>') && !descr.endsWith('1')) {
    const little = `<${descr.slice(1)}`;
    throw new InputError(`${file}: big-endian data ('${descr}') are not supported; convert with arr.astype('${little}')`);
  }
  const dtype = header.dtype;
  if (dtype === undefined || !expect.dtypes.includes(dtype)) {
    const descrs = expect.dtypes.map((d) => `'${dtypes[d].descr}'`).join(', ');
    throw new InputError(`${file}: ${expect.role} must be ${wanted} (${descrs}), got dtype '${descr}'`);
  }
  if (header.fortranOrder && header.shape.filter((n) => n > 1).length > 1) {
    throw new InputError(`${file}: Fortran-order (column-major) data are not supported; save np.ascontiguousarray(arr)`);
  }
  if (!expect.dims.some(([n]) => n === header.shape.length)) {
    const shapes = expect.dims.map(([, s]) => s).join(' or ');
    throw new InputError(`${file}: ${expect.role} must have shape ${shapes}, got ${shapeText(header.shape)}`);
  }
  return dtype;
}

function hostIsLittleEndian(file: string): void {
  if (endianness() !== 'LE') throw new InputError(`${file}: .npy files can only be read on a little-endian machine`);
}

/**
 * An open .npy file: its header, and reads of ranges of elements: any range from a file, each
 * range in order from a stream (byte-source.ts).
 */
export class NpyFile {
  private constructor(
    readonly header: NpyHeader,
    private readonly source: ByteSource,
  ) {}

  /** The path, or 'standard input' for '-'. */
  get path(): string {
    return this.source.name;
  }

  /** True when the data can be read only once, in order. */
  get streamed(): boolean {
    return this.source.size === undefined;
  }

  /**
   * Opens `path` ('-': standard input) and reads its header; checks a file holds all the data
   * the header announces (else "truncated"; a stream is found short when it ends). Errors are
   * InputErrors naming the file.
   */
  static async open(path: string): Promise<NpyFile> {
    hostIsLittleEndian(path);
    return NpyFile.from(await openSource(path));
  }

  private static async from(source: ByteSource): Promise<NpyFile> {
    const name = source.name;
    try {
      const prefix = new Uint8Array(NPY_PREFIX_BYTES);
      const length = npyHeaderLength(prefix.subarray(0, await source.read(prefix, 0)), name);
      const headerBytes = new Uint8Array(length);
      headerBytes.set(prefix.subarray(0, Math.min(length, NPY_PREFIX_BYTES)));
      const rest = headerBytes.subarray(NPY_PREFIX_BYTES);
      if (length > NPY_PREFIX_BYTES && (await source.read(rest, NPY_PREFIX_BYTES)) < rest.length) {
        throw new InputError(`${name}: truncated .npy header`);
      }
      const header = parseNpyHeader(headerBytes, name);
      const need = header.dtype === undefined ? 0 : header.size * dtypes[header.dtype].size;
      const have = source.size === undefined ? need : source.size - header.dataOffset;
      if (have < need) {
        throw new InputError(
          `${name}: truncated: shape ${shapeText(header.shape)} of '${String(header.descr)}' needs ${need} bytes of data, the file holds ${have}`,
        );
      }
      return new NpyFile(header, source);
    } catch (error) {
      await source.close();
      throw fileError(error, 'read', name);
    }
  }

  /** This file with its data in memory (a stream read for a second pass); closes the stream. */
  async buffered(): Promise<NpyFile> {
    if (!this.streamed) return this;
    const { header } = this;
    const bytes = new Uint8Array(header.dataOffset + header.size * itemSize(this.dtype));
    try {
      await readFully(this.source, bytes.subarray(header.dataOffset), header.dataOffset);
    } finally {
      await this.source.close();
    }
    return new NpyFile(header, new MemorySource(this.path, bytes));
  }

  get dtype(): NpyDtype {
    const { dtype } = this.header;
    if (dtype === undefined) throw new InputError(`${this.path}: unsupported dtype '${String(this.header.descr)}'`);
    return dtype;
  }

  /**
   * Reads elements [start, start + count) into `into` (byte 0 on; at least count × item size
   * bytes, a new buffer when absent) and returns them as a typed array over it.
   */
  async read(start: number, count: number, into?: ArrayBuffer): Promise<NpyArray> {
    const size = dtypes[this.dtype].size;
    const buffer = into ?? new ArrayBuffer(count * size);
    if (start < 0 || count < 0 || start + count > this.header.size || buffer.byteLength < count * size) {
      throw new RangeError(`${this.path}: cannot read elements [${start}, ${start + count}) into ${buffer.byteLength} bytes`);
    }
    await readFully(this.source, new Uint8Array(buffer, 0, count * size), this.header.dataOffset + start * size);
    return arrayOf(this.dtype, buffer, 0, count);
  }

  async close(): Promise<void> {
    await this.source.close();
  }
}

async function readFully(source: ByteSource, bytes: Uint8Array, position: number): Promise<void> {
  const done = await source.read(bytes, position);
  if (done < bytes.length) {
    const what = source.size === undefined ? 'the stream ended' : 'the file ended';
    throw new InputError(`${source.name}: truncated (${what} at byte ${position + done})`);
  }
}

/** Reads a whole .npy file (for small ones: labels, tests). */
export async function readNpy(path: string): Promise<{ header: NpyHeader; data: NpyArray }> {
  const file = await NpyFile.open(path);
  try {
    return { header: file.header, data: await file.read(0, file.header.size) };
  } finally {
    await file.close();
  }
}

const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;

/**
 * The header NumPy writes for a C-order array of `dtype` and `shape`, byte for byte: sorted keys,
 * room for the first axis to grow to 21 digits, padded so the data start on a 64-byte boundary;
 * version 1.0 unless the header needs more than 65535 bytes (then 2.0).
 */
export function encodeNpyHeader(dtype: NpyDtype, shape: readonly number[]): Uint8Array {
  let dict = `{'descr': '${dtypes[dtype].descr}', 'fortran_order': False, 'shape': ${shapeText(shape)}, }`;
  if (shape.length > 0) dict += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  const text = new TextEncoder().encode(dict); // ASCII
  for (const [major, field] of [[1, 2], [2, 4]] as const) {
    const hlen = text.length + 1;
    const pad = ARRAY_ALIGN - ((8 + field + hlen) % ARRAY_ALIGN);
    const length = hlen + pad;
    if (major === 1 && length > 0xffff) continue;
    const bytes = new Uint8Array(8 + field + length).fill(0x20);
    bytes.set(MAGIC, 0);
    bytes[6] = major;
    bytes[7] = 0;
    const view = new DataView(bytes.buffer);
    if (field === 2) view.setUint16(8, length, true);
    else view.setUint32(8, length, true);
    bytes.set(text, 8 + field);
    bytes[bytes.length - 1] = 0x0a;
    return bytes;
  }
  throw new RangeError(`shape ${shapeText(shape)} needs too long a header`);
}

/** The bytes of a typed array (no copy). */
export function bytesOf(array: NpyArray): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** A whole .npy file in memory: header and data. */
export function encodeNpy(array: NpyArray, shape: readonly number[] = [array.length]): Uint8Array {
  const header = encodeNpyHeader(dtypeOf(array), shape);
  const bytes = new Uint8Array(header.length + array.byteLength);
  bytes.set(header);
  bytes.set(bytesOf(array), header.length);
  return bytes;
}

/**
 * Writes a .npy file whose shape is known up front to an output (output.ts): the header at
 * create(), then the data by append() in order; commit() checks every element came.
 */
export class NpyWriter {
  private written = 0;
  private readonly size: number;

  private constructor(
    readonly dtype: NpyDtype,
    readonly shape: readonly number[],
    private readonly output: Output,
  ) {
    this.size = shape.reduce((a, b) => a * b, 1);
  }

  get path(): string {
    return this.output.path;
  }

  static async create(plan: OutputPlan, dtype: NpyDtype, shape: readonly number[]): Promise<NpyWriter> {
    const output = await openOutput(plan);
    try {
      await output.write(encodeNpyHeader(dtype, shape));
    } catch (error) {
      await output.abort();
      throw error;
    }
    return new NpyWriter(dtype, shape, output);
  }

  /** Appends the next elements (an array of the writer's dtype). */
  async append(data: NpyArray): Promise<void> {
    if (dtypeOf(data) !== this.dtype) throw new TypeError(`${this.path}: cannot append ${data.constructor.name} to a '${this.dtype}' array`);
    if (this.written + data.length > this.size) throw new RangeError(`${this.path}: more elements than the shape ${shapeText(this.shape)} holds`);
    await this.output.write(bytesOf(data));
    this.written += data.length;
  }

  async commit(): Promise<void> {
    if (this.written !== this.size) {
      await this.output.abort();
      throw new RangeError(`${this.path}: ${this.written} of ${this.size} elements written`);
    }
    await this.output.commit();
  }

  async abort(): Promise<void> {
    await this.output.abort();
  }
}

// A parser for the Python literals of a .npy header: dicts (returned as Maps), tuples and lists
// (arrays), strings, integers (with Python 2's L suffix), True, False and None.
function parsePythonLiteral(text: string): unknown {
  let i = 0;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const fail = (what: string): never => {
    throw new Error(`${what} at character ${i}`);
  };
  const value = (): unknown => {
    skip();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const map = new Map<unknown, unknown>();
      for (skip(); text[i] !== '}'; skip()) {
        const key = value();
        skip();
        if (text[i++] !== ':') fail("expected ':'");
        map.set(key, value());
        skip();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail("expected ',' or '}'");
      }
      i++;
      return map;
    }
    if (ch === '(' || ch === '[') {
      const close = ch === '(' ? ')' : ']';
      i++;
      const items: unknown[] = [];
      for (skip(); text[i] !== close; skip()) {
        items.push(value());
        skip();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(`expected ',' or '${close}'`);
      }
      i++;
      return items;
    }
    if (ch === "'" || ch === '"') {
      let s = '';
      for (i++; text[i] !== ch; i++) {
        if (i >= text.length) fail('unterminated string');
        if (text[i] === '\\') i++;
        s += text[i];
      }
      i++;
      return s;
    }
    const word = /^(?:[A-Za-z_]\w*|[-+]?\d+L?)/.exec(text.slice(i));
    if (!word) return fail('unexpected character');
    i += word[0].length;
    switch (word[0]) {
      case 'True':
        return true;
      case 'False':
        return false;
      case 'None':
        return null;
    }
    const n = Number(word[0].replace(/L$/, ''));
    return Number.isNaN(n) ? fail(`unknown name ${word[0]}`) : n;
  };
  const result = value();
  skip();
  if (i < text.length) fail('unexpected text after the dict');
  return result;
}
