#!/usr/bin/env node
// The softmax-simd command: `softmax-simd <command> [options]` (score, softmax, bench), --help,
// --version. Expected errors print one line "softmax-simd: <message>" on stderr and set the exit
// code (1 bad input, 2 usage, 130 interrupted); anything else is a bug and prints its stack.
import { readFileSync } from 'node:fs';
import { benchCommand } from './bench-command.js';
import type { CommandContext } from './context.js';
import { CliError, EXIT, InterruptedError, UsageError } from './errors.js';
import { scoreCommand } from './score-command.js';
import { softmaxCommand } from './softmax-command.js';
import { benchUsage, programUsage, scoreUsage, softmaxUsage } from './usage.js';

type Command = (args: readonly string[], ctx: CommandContext) => Promise<number>;

const commands: Record<string, { run: Command; usage: string; interruptible: boolean }> = {
  score: { run: scoreCommand, usage: scoreUsage, interruptible: true },
  softmax: { run: softmaxCommand, usage: softmaxUsage, interruptible: true },
  // bench runs synchronously: Ctrl-C keeps its default action there and ends the process.
  bench: { run: benchCommand, usage: benchUsage, interruptible: false },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Runs the command line `argv` (without node and the script) and returns the exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const { stdout, stderr } = process;
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  const ctx: CommandContext = { stdout, stderr, signal: controller.signal };
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
    if (command.interruptible) process.once('SIGINT', onSigint);
    return await command.run(rest, ctx);
  } catch (error) {
    if (controller.signal.aborted) return report(new InterruptedError(), stderr);
    return report(error, stderr);
  } finally {
    process.removeListener('SIGINT', onSigint);
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
  // The library's RangeErrors name the argument and the bad value; anything else is a bug.
  const text = error instanceof RangeError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  stderr.write(`softmax-simd: ${text}\n`);
  return EXIT.input;
}

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
