// Opening the commands' inputs: logits (float32 or float64, [rows, cols] or one row [cols]) and
// labels (integers, [rows], each in [0, cols)), with an InputError naming the file and the problem.
import { checkLabels } from './chunks.js';
import { InputError } from './errors.js';
import { type NpyDtype, NpyFile, checkNpy, shapeText } from './npy.js';

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
    const dtype = checkNpy(file.header, path, {
      role,
      dtypes: ['f4', 'f8'],
      dims: [
        [2, '[rows, cols]'],
        [1, '[cols]'],
      ],
    }) as 'f4' | 'f8';
    const { shape } = file.header;
    const [rows, cols] = shape.length === 1 ? [1, shape[0]] : [shape[0], shape[1]];
    if (cols === 0) throw new InputError(`${path}: ${role} have no classes (shape ${shapeText(shape)})`);
    return { file, rows, cols, dtype };
  } catch (error) {
    await file.close();
    throw error;
  }
}

const labelDtypes: NpyDtype[] = ['i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8'];

/** Opens a labels file for `logits` and checks every label (one pass over the file). */
export async function openLabels(path: string, logits: Logits, signal?: AbortSignal): Promise<NpyFile> {
  const file = await NpyFile.open(path);
  try {
    checkNpy(file.header, path, { role: 'labels', dtypes: labelDtypes, dims: [[1, '[rows]']] });
    const n = file.header.size;
    if (n !== logits.rows) {
      throw new InputError(`${path}: ${n} labels for the ${logits.rows} rows of ${logits.file.path}`);
    }
    await checkLabels(file, logits.cols, signal);
    return file;
  } catch (error) {
    await file.close();
    throw error;
  }
}
