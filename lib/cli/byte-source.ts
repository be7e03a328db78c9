// What an NpyFile reads from: a regular file (any range, by position), a stream (standard input
// as '-', a FIFO, /dev/stdin when it is a pipe: read once, in order, never sized with stat), or
// bytes in memory (a stream kept for a second pass).
import { type FileHandle, open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { InputError, fileError } from './errors.js';
import { STDIO } from './output.js';

export interface ByteSource {
  /** The name messages use: the path, or 'standard input'. */
  readonly name: string;
  /** Total bytes when known up front (a file); undefined for a stream. */
  readonly size: number | undefined;
  /** Reads into `bytes` from byte `position` until it is full or the data end; returns the count. */
  read(bytes: Uint8Array, position: number): Promise<number>;
  close(): Promise<void>;
}

export async function openSource(path: string): Promise<ByteSource> {
  if (path === STDIO) {
    if (process.stdin.isTTY) throw new InputError("standard input is a terminal: pipe a .npy file into '-'");
    return new StreamSource('standard input', process.stdin, async () => undefined);
  }
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw fileError(error, 'open', path);
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new InputError(`cannot read ${path}: is a directory`);
    if (info.isFile()) return new FileSource(path, info.size, handle);
    return new StreamSource(path, handle.createReadStream({ autoClose: false }), () => handle.close());
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw fileError(error, 'read', path);
  }
}

class FileSource implements ByteSource {
  constructor(
    readonly name: string,
    readonly size: number,
    private readonly handle: FileHandle,
  ) {}

  async read(bytes: Uint8Array, position: number): Promise<number> {
    let done = 0;
    try {
      while (done < bytes.length) {
        const { bytesRead } = await this.handle.read(bytes, done, bytes.length - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
    } catch (error) {
      throw fileError(error, 'read', this.name);
    }
    return done;
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}

class StreamSource implements ByteSource {
  readonly size = undefined;
  private readonly chunks: AsyncIterator<Uint8Array>;
  private pending: Uint8Array = new Uint8Array(0);
  private position = 0;

  constructor(
    readonly name: string,
    stream: Readable,
    private readonly onClose: () => Promise<void>,
  ) {
    this.chunks = stream[Symbol.asyncIterator]();
  }

  async read(bytes: Uint8Array, position: number): Promise<number> {
    if (position !== this.position) throw new Error(`${this.name}: a stream is read in order (byte ${position} asked, at ${this.position})`);
    let done = 0;
    while (done < bytes.length) {
      if (this.pending.length === 0) {
        let next;
        try {
          next = await this.chunks.next();
        } catch (error) {
          throw fileError(error, 'read', this.name);
        }
        if (next.done) break;
        this.pending = next.value;
      }
      const n = Math.min(this.pending.length, bytes.length - done);
      bytes.set(this.pending.subarray(0, n), done);
      this.pending = this.pending.subarray(n);
      done += n;
    }
    this.position += done;
    return done;
  }

  async close(): Promise<void> {
    await this.onClose().catch(() => undefined);
  }
}

/** Bytes in memory, read by position. */
export class MemorySource implements ByteSource {
  constructor(
    readonly name: string,
    private readonly bytes: Uint8Array,
  ) {}

  get size(): number {
    return this.bytes.length;
  }

  async read(bytes: Uint8Array, position: number): Promise<number> {
    const part = this.bytes.subarray(position, position + bytes.length);
    bytes.set(part);
    return part.length;
  }

  async close(): Promise<void> {}
}
