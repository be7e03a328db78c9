#!/usr/bin/env node
// The softmax-simd command: `softmax-simd <command> [options]` (score, softmax, bench), --help,
// --version. Expected errors print one line "softmax-simd: <message>" on stderr and set the exit
// code (1 bad input, 2 usage or environment, 128 + n for signal n); anything else is a bug and
// prints its stack. The commands (and with them the library, which reads its environment
// variables as it loads) are imported only when run, so a bad variable is a one-line error too.
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { CommandContext } from './context.js';
import { CliError, EXIT, InterruptedError, UsageError } from './errors.js';
import { benchUsage, programUsage, scoreUsage, softmaxUsage } from './usage.js';

type Command = (args: readonly string[], ctx: CommandContext) => Promise<number>;

const commands: Record<string, { load: () => Promise<Command>; usage: string; interruptible: boolean }> = {
  score: { load: async () => (await import('./score-command.js')).scoreCommand, usage: scoreUsage, interruptible: true },
  softmax: { load: async () => (await import('./softmax-command.js')).softmaxCommand, usage: softmaxUsage, interruptible: true },
  // bench runs synchronously: a signal keeps its default action there and ends the process.
  bench: { load: async () => (await import('./bench-command.js')).benchCommand, usage: benchUsage, interruptible: false },
};

/**
 * The signals that end a run the way Ctrl-C does: the command stops at its next chunk, removes
 * its temporary files and exits with 128 + the signal's number. (SIGUSR1 starts Node's inspector
 * and SIGPIPE is ignored by Node, so neither is here; SIGKILL and SIGSTOP cannot be caught.)
 */
const TERMINATING: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGALRM', 'SIGVTALRM', 'SIGXCPU', 'SIGPWR'];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Aborts `controller` on the first terminating signal, then lets a second one end the process as usual. */
function onSignals(controller: AbortController): { received: () => NodeJS.Signals | undefined; dispose: () => void } {
  let received: NodeJS.Signals | undefined;
  const signals = TERMINATING.filter((s) => constants.signals[s] !== undefined);
  const handler = (signal: NodeJS.Signals) => {
    received ??= signal;
    dispose();
    controller.abort();
  };
  const dispose = () => {
    for (const s of signals) process.removeListener(s, handler);
  };
  for (const s of signals) process.on(s, handler);
  return { received: () => received, dispose };
}

/** Runs the command line `argv` (without node and the script) and returns the exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const { stdout, stderr } = process;
  const controller = new AbortController();
  const ctx: CommandContext = { stdout, stderr, signal: controller.signal };
  let signals: ReturnType<typeof onSignals> | undefined;
  try {
    const [first, ...rest] = argv;
    if (first === undefined) throw new UsageError('missing command (score, softmax or bench)');
    if (first === '-h' || first === '--help') {
      stdout.write(programUsage);
      return EXIT.ok;
    }
    if (first === 'help') {
      const topic = rest[0] !== undefined && Object.hasOwn(commands, rest[0]) ? commands[rest[0]] : undefined;
      if (rest[0] !== undefined && topic === undefined) throw new UsageError(`unknown command '${rest[0]}'`);
      stdout.write(topic?.usage ?? programUsage);
      return EXIT.ok;
    }
    if (first === '-V' || first === '--version') {
      stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    if (first.startsWith('-')) throw new UsageError(`unknown option '${first}'`);
    const command = Object.hasOwn(commands, first) ? commands[first] : undefined;
    if (!command) throw new UsageError(`unknown command '${first}' (score, softmax or bench)`);
    if (command.interruptible) signals = onSignals(controller);
    const run = await command.load();
    return await run(rest, ctx);
  } catch (error) {
    const signal = signals?.received();
    if (signal) return report(new InterruptedError(signal, constants.signals[signal]), stderr);
    return report(error, stderr);
  } finally {
    signals?.dispose();
  }
}

function report(error: unknown, stderr: { write(text: string): unknown }): number {
  if (error instanceof UsageError) {
    const help = error.command === undefined ? 'softmax-simd --help' : `softmax-simd ${error.command} --help`;
    stderr.write(`softmax-simd: ${error.message} (see '${help}')\n`);
    return error.exitCode;
  }
  if (error instanceof CliError) {
    stderr.write(`softmax-simd: ${error.message}\n`);
    return error.exitCode;
  }
  // The library's environment errors (a bad SOFTMAX_SIMD_* variable) and RangeErrors name the
  // variable or argument and the bad value; anything else is a bug.
  const message = error instanceof Error ? error.message.replace(/^softmax-simd: /, '') : String(error);
  if ((error as { code?: unknown } | null)?.code === 'ERR_SOFTMAX_SIMD_ENV') {
    stderr.write(`softmax-simd: ${message}\n`);
    return EXIT.usage;
  }
  stderr.write(`softmax-simd: ${error instanceof RangeError ? message : error instanceof Error ? (error.stack ?? message) : message}\n`);
  return EXIT.input;
}

// Progress and messages to a closed pipe must never stop the work (`… 2>&1 | head`): errors on
// the standard streams are dropped here; an output written to standard output ('-') sees its own.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

main(process.argv.slice(2)).then(
  (code) => {
    // Exit once stdout has drained: worker threads of the async calls must not keep us alive.
    process.stdout.write('', () => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(`softmax-simd: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(EXIT.input);
  },
);
