// Temporary files the CLI writes and reads back (the parts of score's JSON document). They live
// beside the output file, or, when the output is a stream, in a private folder under the system's
// temporary directory (never next to a device or a FIFO). Their errors name the user's output:
// the parts are ours, not theirs.
import { mkdtemp, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileError } from './errors.js';
import { type Output, type OutputPlan, temporaryName, writeAt } from './output.js';

/** Where scratch files for an output go; dispose() removes a private folder. */
export interface ScratchFolder {
  path: string;
  dispose(): Promise<void>;
}

export async function scratchFolder(plan: OutputPlan): Promise<ScratchFolder> {
  if (plan.kind === 'file') return { path: dirname(plan.target), dispose: async () => undefined };
  let path: string;
  try {
    path = await mkdtemp(join(tmpdir(), 'softmax-simd-'));
  } catch (error) {
    throw fileError(error, 'create a temporary folder for', plan.path);
  }
  return { path, dispose: () => rm(path, { recursive: true, force: true }).catch(() => undefined) };
}

export class ScratchFile {
  private position = 0;

  private constructor(
    /** The user's output path, for messages. */
    private readonly owner: string,
    private readonly tempPath: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(folder: ScratchFolder, owner: string): Promise<ScratchFile> {
    const tempPath = temporaryName(join(folder.path, 'part'));
    try {
      return new ScratchFile(owner, tempPath, await open(tempPath, 'wx+'));
    } catch (error) {
      throw fileError(error, 'write', owner);
    }
  }

  async append(bytes: Uint8Array): Promise<void> {
    await writeAt(this.handle, bytes, this.position, this.owner);
    this.position += bytes.length;
  }

  /** Copies everything appended so far to `output`, 1 MiB at a time. */
  async copyTo(output: Output): Promise<void> {
    const buffer = new Uint8Array(2 ** 20);
    for (let position = 0; position < this.position; ) {
      let bytesRead;
      try {
        ({ bytesRead } = await this.handle.read(buffer, 0, buffer.length, position));
      } catch (error) {
        throw fileError(error, 'write', this.owner);
      }
      if (bytesRead === 0) break;
      await output.write(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
  }

  /** Closes and deletes the file; never throws. */
  async dispose(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.tempPath, { force: true }).catch(() => undefined);
  }
}
