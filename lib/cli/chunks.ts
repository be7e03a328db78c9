// Streams .npy files in chunks of whole rows with bounded memory: two buffers per file, so the
// next chunk is read while the caller works on the current one. Each buffer is our own
// ArrayBuffer, read into at byte 0, so the typed arrays over it are aligned.
import { type NpyArray, type NpyFile, itemSize } from './npy.js';

/** The default chunk: about 8 MiB of logits, in whole rows (at least one). */
export const CHUNK_BYTES = 8 * 2 ** 20;

export function defaultChunkRows(cols: number, bytesPerElement: number): number {
  return Math.max(1, Math.floor(CHUNK_BYTES / Math.max(1, cols * bytesPerElement)));
}

/** A file read `perRow` elements per row (cols for logits, 1 for labels). */
export interface RowSource {
  file: NpyFile;
  perRow: number;
}

export interface Chunk {
  /** The chunk's first row. */
  start: number;
  rows: number;
  /** One array per source, in the sources' order: rows × perRow elements each. */
  arrays: NpyArray[];
}

/**
 * Yields rows [0, rows) of every source in chunks of `chunkRows` rows. The next chunk's read starts
 * as a chunk is handed out, into the other buffer, so a chunk's arrays stay valid until the
 * caller asks for the next chunk. Stops with the signal's reason when it is aborted.
 */
export async function* readChunks(
  sources: readonly RowSource[],
  rows: number,
  chunkRows: number,
  signal?: AbortSignal,
): AsyncGenerator<Chunk> {
  const buffers = sources.map(({ file, perRow }) => {
    const bytes = Math.min(chunkRows, rows) * perRow * itemSize(file.dtype);
    return [new ArrayBuffer(bytes), new ArrayBuffer(bytes)];
  });
  const read = async (start: number, slot: number): Promise<Chunk> => {
    const n = Math.min(chunkRows, rows - start);
    const arrays = await Promise.all(
      sources.map(({ file, perRow }, i) => file.read(start * perRow, n * perRow, buffers[i][slot])),
    );
    return { start, rows: n, arrays };
  };
  let slot = 0;
  let next: Promise<Chunk> | undefined = rows > 0 ? read(0, slot) : undefined;
  next?.catch(() => undefined); // handled when awaited; no unhandled rejection while the caller works
  try {
    while (next) {
      const chunk: Chunk = await next;
      signal?.throwIfAborted();
      const following = chunk.start + chunk.rows;
      slot ^= 1;
      next = following < rows ? read(following, slot) : undefined;
      next?.catch(() => undefined);
      yield chunk;
      signal?.throwIfAborted();
    }
  } finally {
    await next?.catch(() => undefined);
  }
}
