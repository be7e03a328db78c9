// An output file written under a temporary name beside its final one and renamed into place by
// commit(), so a failed or interrupted run never leaves a half-written file under the final name.
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileError } from './errors.js';

let serial = 0;

export class AtomicFile {
  private position = 0;
  private closed = false;

  private constructor(
    /** The final name. */
    readonly path: string,
    /** Where the bytes go until commit(): `.<name>.<pid>-<n>.partial` in the same directory. */
    readonly tempPath: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(path: string): Promise<AtomicFile> {
    const tempPath = join(dirname(path), `.${basename(path)}.${process.pid}-${serial++}.partial`);
    try {
      return new AtomicFile(path, tempPath, await open(tempPath, 'wx'));
    } catch (error) {
      throw fileError(error, 'create', path);
    }
  }

  /** Bytes written so far. */
  get size(): number {
    return this.position;
  }

  /** Appends all of `bytes` (looping over short writes). */
  async write(bytes: Uint8Array): Promise<void> {
    try {
      for (let done = 0; done < bytes.length; ) {
        const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, this.position);
        done += bytesWritten;
        this.position += bytesWritten;
      }
    } catch (error) {
      throw fileError(error, 'write', this.path);
    }
  }

  /** Closes the file and renames it to its final name. */
  async commit(): Promise<void> {
    this.closed = true;
    try {
      await this.handle.close();
      await rename(this.tempPath, this.path);
    } catch (error) {
      await unlink(this.tempPath).catch(() => undefined);
      throw fileError(error, 'write', this.path);
    }
  }

  /** Closes (if still open) and deletes the temporary file; never throws. */
  async abort(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.handle.close().catch(() => undefined);
    }
    await unlink(this.tempPath).catch(() => undefined);
  }
}
