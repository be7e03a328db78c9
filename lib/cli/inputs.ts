// Opening the commands' inputs: logits (float32 or float64, [rows, cols] or one row [cols]) and
// labels (integers, [rows], each in [0, cols)), with an InputError naming the file and the problem.
// Either may be '-' (standard input) or a pipe; labels from a stream are kept in memory (a few
// bytes a row) for their checking pass.
import { readChunks } from './chunks.js';
import { InputError } from './errors.js';
import { type NpyArray, type NpyDtype, NpyFile, checkNpy, shapeText } from './npy.js';

export interface Logits {
  file: NpyFile;
  rows: number;
  cols: number;
  dtype: 'f4' | 'f8';
}

/** Opens a logits file; `role` names it in messages ('logits', 'input'). */
export async function openLogits(path: string, role = 'logits'): Promise<Logits> {
  const file = await NpyFile.open(path);
  try {
    const dtype = checkNpy(file.header, file.path, {
      role,
      dtypes: ['f4', 'f8'],
      dims: [
        [2, '[rows, cols]'],
        [1, '[cols]'],
      ],
    }) as 'f4' | 'f8';
    const { shape } = file.header;
    const [rows, cols] = shape.length === 1 ? [1, shape[0]] : [shape[0], shape[1]];
    if (cols === 0) throw new InputError(`${file.path}: ${role} have no classes (shape ${shapeText(shape)})`);
    return { file, rows, cols, dtype };
  } catch (error) {
    await file.close();
    throw error;
  }
}

const labelDtypes: NpyDtype[] = ['i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8'];

/** Opens a labels file for `logits` and checks every label (one pass over the file). */
export async function openLabels(path: string, logits: Logits, signal?: AbortSignal): Promise<NpyFile> {
  let file = await NpyFile.open(path);
  try {
    checkNpy(file.header, file.path, { role: 'labels', dtypes: labelDtypes, dims: [[1, '[rows]']] });
    const n = file.header.size;
    if (n !== logits.rows) {
      throw new InputError(`${file.path}: ${n} labels for the ${logits.rows} rows of ${logits.file.path}`);
    }
    file = await file.buffered(); // a stream is read twice: checked here, then scored
    await checkLabels(file, logits.cols, signal);
    return file;
  } catch (error) {
    await file.close();
    throw error;
  }
}

/** Converts labels to Int32Array (they were checked to lie in [0, cols) by checkLabels). */
export function int32Labels(labels: NpyArray): Int32Array {
  if (labels instanceof Int32Array) return labels;
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = Number(labels[i]);
  return out;
}

/**
 * Reads every label once, in chunks, and checks each is an integer in [0, cols): an InputError
 * names the first bad one and its row.
 */
export async function checkLabels(file: NpyFile, cols: number, signal?: AbortSignal): Promise<void> {
  const rows = file.header.size;
  for await (const { start, arrays } of readChunks([{ file, perRow: 1 }], rows, 2 ** 20, signal)) {
    const labels = arrays[0];
    for (let i = 0; i < labels.length; i++) {
      const v = Number(labels[i]);
      if (!(v >= 0 && v < cols)) {
        throw new InputError(`${file.path}: label ${String(labels[i])} at row ${start + i} is outside [0, ${cols})`);
      }
    }
  }
}
