// The errors the CLI expects, each with its exit code: main.ts prints their message as one line
// (no stack trace) and exits with the code. Anything else is a bug and keeps its stack.

/** Exit codes: 0 success, 1 bad input (file or data), 2 usage, 130 interrupted (128 + SIGINT). */
export const EXIT = Object.freeze({ ok: 0, input: 1, usage: 2, interrupted: 130 });

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

/** Ctrl-C (SIGINT) stopped the run; temporary outputs were removed. Exit 130. */
export class InterruptedError extends CliError {
  constructor() {
    super('interrupted', EXIT.interrupted);
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
};

/**
 * A file-system error (from fs.promises) as an InputError naming the file and the action, e.g.
 * "cannot open logits.npy: no such file or directory"; other errors are returned unchanged.
 */
export function fileError(error: unknown, action: string, file: string): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return error;
  return new InputError(`cannot ${action} ${file}: ${fsReasons[code] ?? (error as Error).message}`);
}
