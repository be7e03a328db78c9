// What a command runs with: its streams and the signal Ctrl-C aborts.
import type { ProgressStream } from './progress.js';

export interface CommandContext {
  stdout: { write(text: string): unknown };
  stderr: ProgressStream;
  /** Aborted by SIGINT: the command stops at the next chunk, removes its temporary files. */
  signal: AbortSignal;
}
