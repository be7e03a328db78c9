// Where the CLI's outputs go. planOutput() decides it before any input is read, so that a bad
// output path fails at once; openOutput() then writes there:
// - a regular file, or a path that does not exist yet: under a temporary name beside it, renamed
//   into place by commit(), so a failed or interrupted run leaves the old file or none; a symbolic
//   link is followed to its target, which is replaced the same way (the link stays a link);
// - a FIFO, a character device or a socket: written to directly as the data come (a stream: a
//   failed run has already written part of it, as with any pipe);
// - '-': standard output, the same way.
// Errors are InputErrors that name the path the user gave, and the reason.
import { constants, createWriteStream } from 'node:fs';
import { type FileHandle, access, lstat, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { InputError, fileError } from './errors.js';

export const STDIO = '-';

export type OutputPlan =
  /** `target`: the file to replace or create (the link's target when `path` is a symbolic link). */
  | { kind: 'file'; path: string; target: string; mode?: number }
  | { kind: 'stream'; path: string; socket: boolean }
  | { kind: 'stdout'; path: string };

/** Checks where `path` would be written (see the top of this file); an InputError names what is wrong. */
export async function planOutput(path: string): Promise<OutputPlan> {
  if (path === STDIO) return { kind: 'stdout', path };
  const writable = async (p: string, what: string) => {
    try {
      await access(p, constants.W_OK);
    } catch (error) {
      throw fileError(error, 'write', path, what);
    }
  };
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(error, 'write', path);
    return planNewFile(path, writable);
  }
  if (info.isDirectory()) throw new InputError(`cannot write ${path}: is a directory`);
  if (!info.isFile()) {
    await writable(path, '');
    return { kind: 'stream', path, socket: info.isSocket() };
  }
  const target = (await lstat(path)).isSymbolicLink() ? await realpath(path) : path;
  await writable(target, '');
  await writable(dirname(target), ` (folder ${dirname(target)})`);
  return { kind: 'file', path, target, mode: info.mode & 0o7777 };
}

async function planNewFile(path: string, writable: (p: string, what: string) => Promise<void>): Promise<OutputPlan> {
  const isLink = await lstat(path).then((s) => s.isSymbolicLink(), () => false);
  if (isLink) throw new InputError(`cannot write ${path}: is a symbolic link to a missing file`);
  const folder = dirname(path);
  const info = await stat(folder).catch(() => undefined);
  if (!info) throw new InputError(`cannot write ${path}: folder ${folder} does not exist`);
  if (!info.isDirectory()) throw new InputError(`cannot write ${path}: ${folder} is not a folder`);
  await writable(folder, ` (folder ${folder})`);
  return { kind: 'file', path, target: path };
}

/** The name messages and summaries give an output: its path, or 'standard output' for '-'. */
export function displayName(plan: OutputPlan): string {
  return plan.kind === 'stdout' ? 'standard output' : plan.path;
}

/** An output being written: bytes in order, then commit() or abort(). */
export interface Output {
  /** The path the user gave ('standard output' for '-'). */
  readonly path: string;
  write(bytes: Uint8Array): Promise<void>;
  /** Finishes the output (renames a file into place). */
  commit(): Promise<void>;
  /** Removes a temporary file; a stream keeps what it was sent. Never throws. */
  abort(): Promise<void>;
}

export async function openOutput(plan: OutputPlan): Promise<Output> {
  switch (plan.kind) {
    case 'file':
      return AtomicFile.create(plan.path, plan.target, plan.mode);
    case 'stdout':
      return new StreamOutput(displayName(plan), process.stdout, false);
    case 'stream': {
      const stream = plan.socket ? connect(plan.path) : createWriteStream(plan.path, { flags: 'w' });
      return new StreamOutput(plan.path, stream, true);
    }
  }
}

let serial = 0;

/** A name for a temporary file beside `target`: `.<name>.<pid>-<n>.partial`. */
export function temporaryName(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}-${serial++}.partial`);
}

/** Writes all of `bytes` at `position` (looping over short writes); errors name `name`. */
export async function writeAt(handle: FileHandle, bytes: Uint8Array, position: number, name: string): Promise<void> {
  try {
    for (let done = 0; done < bytes.length; ) {
      const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
      done += bytesWritten;
    }
  } catch (error) {
    throw fileError(error, 'write', name);
  }
}

/** A file written under a temporary name and renamed to its target by commit(). */
class AtomicFile implements Output {
  private position = 0;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly target: string,
    private readonly tempPath: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(path: string, target: string, mode?: number): Promise<AtomicFile> {
    const tempPath = temporaryName(target);
    let handle: FileHandle;
    try {
      handle = await open(tempPath, 'wx');
    } catch (error) {
      throw fileError(error, 'create', path);
    }
    // A replaced file keeps its permissions.
    if (mode !== undefined) await handle.chmod(mode).catch(() => undefined);
    return new AtomicFile(path, target, tempPath, handle);
  }

  async write(bytes: Uint8Array): Promise<void> {
    await writeAt(this.handle, bytes, this.position, this.path);
    this.position += bytes.length;
  }

  async commit(): Promise<void> {
    this.closed = true;
    try {
      await this.handle.close();
      await rename(this.tempPath, this.target);
    } catch (error) {
      await unlink(this.tempPath).catch(() => undefined);
      throw fileError(error, 'write', this.path);
    }
  }

  async abort(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.handle.close().catch(() => undefined);
    }
    await unlink(this.tempPath).catch(() => undefined);
  }
}

/** Standard output, a FIFO, a device or a socket: each write waits until the stream took it. */
class StreamOutput implements Output {
  private failure: unknown;

  constructor(
    readonly path: string,
    private readonly stream: Writable,
    /** Close the stream at the end (not standard output). */
    private readonly owned: boolean,
  ) {
    stream.on('error', (error) => {
      this.failure ??= error;
    });
  }

  private fail(error: unknown): never {
    throw fileError(error, 'write', this.path);
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.failure) this.fail(this.failure);
    // The caller reuses its buffers: resolve once the stream has taken these bytes.
    return new Promise((resolve, reject) => {
      this.stream.write(bytes, (error) => {
        if (error) {
          try {
            this.fail(error);
          } catch (named) {
            reject(named);
          }
        } else {
          resolve();
        }
      });
    });
  }

  async commit(): Promise<void> {
    if (this.owned) {
      await new Promise<void>((resolve) => this.stream.end(resolve));
    } else {
      await this.write(new Uint8Array(0));
    }
    if (this.failure) this.fail(this.failure);
  }

  async abort(): Promise<void> {
    if (this.owned) this.stream.destroy();
  }
}
