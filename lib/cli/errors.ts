// The errors the CLI expects, each with its exit code: main.ts prints their message as one line
// (no stack trace) and exits with the code. Anything else is a bug and keeps its stack.

/** Exit codes: 0 success, 1 bad input (file or data), 2 usage; a signal gives 128 + its number (SIGINT 130). */
export const EXIT = Object.freeze({ ok: 0, input: 1, usage: 2 });

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A bad command line: unknown command or option, missing argument, bad option value. Exit 2. */
export class UsageError extends CliError {
  /** The command whose `--help` the hint names (none: the program's). */
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message, EXIT.usage);
  }
}

/** A bad or missing input file, bad data in it, or an output that cannot be written. Exit 1. */
export class InputError extends CliError {
  constructor(message: string) {
    super(message, EXIT.input);
  }
}

/** A termination signal (SIGINT, SIGTERM, ...) stopped the run; temporary outputs were removed. Exit 128 + its number. */
export class InterruptedError extends CliError {
  constructor(signal: NodeJS.Signals, number: number) {
    super(`interrupted by ${signal}`, 128 + number);
  }
}

const fsReasons: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a component of the path is not a directory',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  EEXIST: 'file exists',
  EFBIG: 'file too large (the file size limit, ulimit -f)',
  EPIPE: 'broken pipe (the reader has gone)',
  ENXIO: 'no such device or address',
  ECONNREFUSED: 'connection refused (no one listens on the socket)',
  ELOOP: 'too many levels of symbolic links',
};

/**
 * A file-system error (from fs.promises) as an InputError naming the file and the action, e.g.
 * "cannot open logits.npy: no such file or directory", then `detail` if given; InputErrors and
 * other errors are returned unchanged.
 */
export function fileError(error: unknown, action: string, file: string, detail = ''): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (error instanceof CliError || typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return error;
  return new InputError(`cannot ${action} ${file}: ${fsReasons[code] ?? (error as Error).message}${detail}`);
}
