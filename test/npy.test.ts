// The CLI's .npy reader and writer (lib/cli/npy.ts): real NumPy files (test/fixtures/npy, written
// by make_npy.py from closed formulas, recomputed here), the header NumPy writes byte for byte,
// round trips through the chunked writer, and each malformed file's error.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../lib/cli/errors.js';
import {
  type NpyArray,
  type NpyDtype,
  NpyFile,
  NpyWriter,
  checkNpy,
  encodeNpy,
  encodeNpyHeader,
  parseNpyHeader,
  readNpy,
} from '../lib/cli/npy.js';
import { planOutput } from '../lib/cli/output.js';

const fixtures = fileURLToPath(new URL('./fixtures/npy/', import.meta.url));
const fixture = (name: string) => join(fixtures, name);
const tmp = mkdtempSync(join(tmpdir(), 'softmax-simd-npy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ROWS = 23, COLS = 7;
/** make_npy.py's logits: ((37 r + 11 c) mod 29 − 14) / div. */
const grid = (rows: number, cols: number, div: number) =>
  Array.from({ length: rows * cols }, (_, i) => (((37 * Math.floor(i / cols) + 11 * (i % cols)) % 29) - 14) / div);
const labels = Array.from({ length: ROWS }, (_, r) => (3 * r) % 7);
const numbers = (a: NpyArray) => Array.from(a as ArrayLike<number | bigint>, Number);

const labelTypes: [string, NpyDtype, new (n: number) => NpyArray][] = [
  ['i1', 'i1', Int8Array],
  ['u1', 'u1', Uint8Array],
  ['i2', 'i2', Int16Array],
  ['u2', 'u2', Uint16Array],
  ['i4', 'i4', Int32Array],
  ['u4', 'u4', Uint32Array],
  ['i8', 'i8', BigInt64Array],
  ['u8', 'u8', BigUint64Array],
];

/** The typed array of each dtype (for rebuilding fixtures from their bytes). */
const NpyFileArray: Record<NpyDtype, new (buffer: ArrayBuffer) => NpyArray> = {
  f4: Float32Array,
  f8: Float64Array,
  i1: Int8Array,
  u1: Uint8Array,
  i2: Int16Array,
  u2: Uint16Array,
  i4: Int32Array,
  u4: Uint32Array,
  i8: BigInt64Array,
  u8: BigUint64Array,
};

/** The error a promise rejects with (failing when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** Writes bytes to a fresh file and returns its path. */
function file(name: string, bytes: Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return path;
}

/** A header as a hand-written file would have it: any dict text, version, padded to 64 bytes. */
function rawHeader(dict: string, major = 1): Uint8Array {
  const field = major === 1 ? 2 : 4;
  const text = Buffer.from(dict, major === 3 ? 'utf8' : 'latin1');
  const pad = 63 - ((8 + field + text.length) % 64);
  const bytes = Buffer.alloc(8 + field + text.length + pad + 1, 0x20);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]).copy(bytes);
  if (field === 2) bytes.writeUInt16LE(text.length + pad + 1, 8);
  else bytes.writeUInt32LE(text.length + pad + 1, 8);
  text.copy(bytes, 8 + field);
  bytes[bytes.length - 1] = 0x0a;
  return bytes;
}

describe('reading NumPy-written files', () => {
  it('reads float32 and float64 [rows, cols] logits and a 1-D row', async () => {
    const f32 = await readNpy(fixture('logits-f32.npy'));
    expect(f32.header).toMatchObject({ version: '1.0', descr: '<f4', dtype: 'f4', fortranOrder: false, shape: [ROWS, COLS], size: ROWS * COLS });
    expect(f32.data).toBeInstanceOf(Float32Array);
    expect(numbers(f32.data)).toEqual(grid(ROWS, COLS, 4)); // quarters: exact in float32
    const f64 = await readNpy(fixture('logits-f64.npy'));
    expect(f64.header).toMatchObject({ descr: '<f8', dtype: 'f8', shape: [ROWS, COLS] });
    expect(f64.data).toBeInstanceOf(Float64Array);
    expect(numbers(f64.data)).toEqual(grid(ROWS, COLS, 3)); // a / 3 rounds the same in NumPy and JS
    const row = await readNpy(fixture('row-f32.npy'));
    expect(row.header.shape).toEqual([COLS]);
    expect(numbers(row.data)).toEqual(Array.from({ length: COLS }, (_, c) => (((5 * c) % 7) - 3) / 2));
  });

  it.each(labelTypes)('reads %s labels as the matching typed array', async (name, dtype, type) => {
    const { header, data } = await readNpy(fixture(`labels-${name}.npy`));
    expect(header.dtype).toBe(dtype);
    expect(header.shape).toEqual([ROWS]);
    expect(data).toBeInstanceOf(type);
    expect(numbers(data)).toEqual(labels);
  });

  it('reads format 2.0 and 3.0 headers', async () => {
    for (const [name, version] of [
      ['small-v2.npy', '2.0'],
      ['small-v3.npy', '3.0'],
    ]) {
      const { header, data } = await readNpy(fixture(name));
      expect(header).toMatchObject({ version, dtype: 'f4', shape: [3, 4], fortranOrder: false });
      expect(header.dataOffset % 64).toBe(0);
      expect(numbers(data)).toEqual(grid(3, 4, 4));
    }
  });

  it('reports what the CLI refuses: Fortran order, big-endian, other dtypes, other shapes', async () => {
    const logits = { role: 'logits', dtypes: ['f4', 'f8'] as NpyDtype[], dims: [[2, '[rows, cols]'], [1, '[cols]']] as [number, string][] };
    const refuse = async (name: string) => {
      const npy = await NpyFile.open(fixture(name));
      await npy.close();
      expect(() => checkNpy(npy.header, name, logits)).toThrow(InputError);
      try {
        checkNpy(npy.header, name, logits);
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    };
    expect(await refuse('small-fortran.npy')).toMatch(/^small-fortran\.npy: Fortran-order/);
    expect(await refuse('small-big-endian.npy')).toMatch(/^small-big-endian\.npy: big-endian data \('>f4'\).*astype\('<f4'\)/);
    expect(await refuse('small-f16.npy')).toBe("small-f16.npy: logits must be float32 or float64 ('<f4', '<f8'), got dtype '<f2'");
    expect(await refuse('small-3d.npy')).toBe('small-3d.npy: logits must have shape [rows, cols] or [cols], got (2, 3, 2)');
    expect(await refuse('labels-i4.npy')).toBe("labels-i4.npy: logits must be float32 or float64 ('<f4', '<f8'), got dtype '<i4'");
    const ok = await NpyFile.open(fixture('logits-f64.npy'));
    await ok.close();
    expect(checkNpy(ok.header, 'logits-f64.npy', logits)).toBe('f8');
  });
});

describe('writing', () => {
  it('writes the header NumPy writes, byte for byte', () => {
    const same = (name: string) => {
      const numpy = new Uint8Array(readFileSync(fixture(name)));
      const header = parseNpyHeader(numpy, name);
      expect(header.dtype, name).toBeDefined();
      const data = new Uint8Array(numpy.subarray(header.dataOffset)).buffer;
      const ours = encodeNpy(new NpyFileArray[header.dtype as NpyDtype](data), header.shape);
      expect(Buffer.from(ours).equals(Buffer.from(numpy)), name).toBe(true);
    };
    for (const name of ['logits-f32.npy', 'logits-f64.npy', 'row-f32.npy', ...labelTypes.map(([n]) => `labels-${n}.npy`)]) same(name);
  });

  it('switches to format 2.0 when the header outgrows 64 KiB', () => {
    const shape = Array.from({ length: 30000 }, () => 1);
    const bytes = encodeNpyHeader('f8', shape);
    expect(bytes[6]).toBe(2);
    expect(bytes.length % 64).toBe(0);
    expect(parseNpyHeader(bytes, 'wide')).toMatchObject({ version: '2.0', shape, size: 1, dataOffset: bytes.length });
  });

  it.each([
    ['f4', Float32Array],
    ['f8', Float64Array],
    ['i4', Int32Array],
    ['i8', BigInt64Array],
    ['u1', Uint8Array],
  ] as [NpyDtype, new (n: number) => NpyArray][])('round-trips %s [rows, cols] written in chunks, and reads any range aligned', async (dtype, type) => {
    const rows = 37, cols = 5;
    const data = new type(rows * cols);
    for (let i = 0; i < data.length; i++) {
      const v = ((i * 7919) % 251) - (dtype.startsWith('u') ? 0 : 125);
      data[i] = (type === BigInt64Array ? BigInt(v) : dtype.startsWith('f') ? v / 8 : v) as never;
    }
    const path = join(tmp, `round-${dtype}.npy`);
    const writer = await NpyWriter.create(await planOutput(path), dtype, [rows, cols]);
    expect(readdirSync(tmp)).not.toContain(`round-${dtype}.npy`); // only the temporary name so far
    for (let start = 0; start < data.length; start += 3 * cols) await writer.append(data.subarray(start, start + 3 * cols));
    await writer.commit();
    const back = await readNpy(path);
    expect(back.header).toMatchObject({ dtype, shape: [rows, cols], fortranOrder: false });
    expect(back.data).toEqual(data);

    const npy = await NpyFile.open(path);
    const buffer = new ArrayBuffer(64);
    const part = await npy.read(2 * cols + 1, 6, buffer);
    await npy.close();
    expect(part.buffer).toBe(buffer);
    expect(part.byteOffset).toBe(0);
    expect(part).toEqual(data.subarray(2 * cols + 1, 2 * cols + 7));
  });

  it('leaves nothing behind when aborted, or when fewer elements came than the shape holds', async () => {
    const dir = mkdtempSync(join(tmp, 'abort-'));
    const a = await NpyWriter.create(await planOutput(join(dir, 'a.npy')), 'f4', [4]);
    await a.append(new Float32Array([1, 2]));
    await a.abort();
    const b = await NpyWriter.create(await planOutput(join(dir, 'b.npy')), 'f4', [4]);
    await b.append(new Float32Array([1, 2]));
    await expect(b.commit()).rejects.toThrow(/2 of 4 elements written/);
    await expect(b.append(new Float32Array(3))).rejects.toThrow();
    expect(readdirSync(dir)).toEqual([]);
    const c = await NpyWriter.create(await planOutput(join(dir, 'c.npy')), 'f4', [2]);
    await expect(c.append(new Float32Array(3))).rejects.toThrow(/more elements than the shape/);
    await expect(c.append(new Float64Array(1))).rejects.toThrow(TypeError);
    await c.abort();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('malformed files', () => {
  const good = new Uint8Array(readFileSync(fixture('logits-f32.npy')));

  it.each([
    ['an empty file', new Uint8Array(0), /not a NumPy \.npy file/],
    ['a text file', new TextEncoder().encode('1,2,3\n4,5,6\n'), /not a NumPy \.npy file \(it does not start with the magic/],
    ['a version 4.0 header', Uint8Array.from([...good.subarray(0, 6), 4, 0, ...good.subarray(8)]), /unsupported \.npy format version 4\.0 \(supported: 1\.0, 2\.0, 3\.0\)/],
    ['a version 1.1 header', Uint8Array.from([...good.subarray(0, 6), 1, 1, ...good.subarray(8)]), /unsupported \.npy format version 1\.1/],
    ['data shorter than the header says', good.subarray(0, good.length - 10), /truncated: shape \(23, 7\) of '<f4' needs 644 bytes of data, the file holds 634/],
    ['a header cut short', good.subarray(0, 40), /truncated \.npy header/],
    ['a header that is not a dict', rawHeader("['descr', '<f4']"), /the \.npy header is not a dict/],
    ['a header without shape', rawHeader("{'descr': '<f4', 'fortran_order': False, }"), /lacks a valid 'descr', 'fortran_order' or 'shape'/],
    ['a negative dimension', rawHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }"), /lacks a valid/],
    ['a header that does not parse', rawHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } junk"), /cannot parse the \.npy header/],
    ['an unterminated string', rawHeader("{'descr': '<f4"), /cannot parse the \.npy header \(unterminated string/],
  ])('%s', async (name, bytes, message) => {
    const path = file(`${name.replace(/\W+/g, '-')}.npy`, bytes);
    const error = await rejection(NpyFile.open(path));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message.startsWith(`${path}: `), error.message).toBe(true);
    expect(error.message).toMatch(message);
  });

  it('a missing file', async () => {
    const error = await rejection(NpyFile.open(join(tmp, 'nowhere.npy')));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(`cannot open ${join(tmp, 'nowhere.npy')}: no such file or directory`);
  });

  it('accepts what NumPy accepts: Python 2 long integers, double quotes, other key order, extra data', async () => {
    const header = rawHeader('{"shape": (2L, 3L), "fortran_order": False, "descr": "<f8"}', 2);
    const data = new Float64Array([1, 2, 3, 4, 5, 6.5]);
    const bytes = new Uint8Array(header.length + data.byteLength + 3);
    bytes.set(header);
    bytes.set(new Uint8Array(data.buffer), header.length);
    const { header: parsed, data: back } = await readNpy(file('py2.npy', bytes));
    expect(parsed).toMatchObject({ version: '2.0', dtype: 'f8', shape: [2, 3] });
    expect(back).toEqual(data);
  });

  it('records a structured dtype without reading it', () => {
    const header = parseNpyHeader(rawHeader("{'descr': [('x', '<f4'), ('y', '<i4')], 'fortran_order': False, 'shape': (2,), }"), 'rec.npy');
    expect(header.dtype).toBeUndefined();
    expect(() => checkNpy(header, 'rec.npy', { role: 'labels', dtypes: ['i4'], dims: [[1, '[rows]']] })).toThrow(
      'rec.npy: labels must be int32; structured dtypes are not supported',
    );
  });
});
