// Command-line parsing with node:util's parseArgs, and the checks of option values. Every problem
// is a UsageError (exit 2) that names the command, so the hint can point at its --help.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.js';

export { MAX_THREADS } from '../validate.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

/**
 * Parses a command's arguments (after the command name) strictly: known options only, exactly the
 * positionals named in `positionals` (`--help` aside, which needs none). `-h`/`--help` is added
 * to every command.
 */
export function parseCommand(
  command: string,
  args: readonly string[],
  options: Options,
  positionals: readonly string[],
): { values: Values; positionals: string[]; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${command}: ${parseArgsMessage(error)}`, command);
  }
  const values = parsed.values as Values;
  const help = values.help === true;
  if (!help) {
    if (parsed.positionals.length < positionals.length) {
      throw new UsageError(`${command}: missing ${positionals[parsed.positionals.length]}`, command);
    }
    if (parsed.positionals.length > positionals.length) {
      throw new UsageError(`${command}: unexpected argument '${parsed.positionals[positionals.length]}'`, command);
    }
  }
  return { values, positionals: parsed.positionals, help };
}

/** parseArgs' messages, shortened ("Unknown option '--x'. To specify a positional …"). */
function parseArgsMessage(error: unknown): string {
  const { code, message } = error as { code?: string; message: string };
  const option = /'(-[^' ]*)/.exec(message)?.[1] ?? '?';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${option}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/ambiguous/.test(message)) return `option '${option}' needs a value (for one starting with '-', write ${option}=VALUE)`;
      return /argument missing/.test(message) ? `option '${option}' needs a value` : `option '${option}' takes no value`;
    default:
      return message.split('\n')[0];
  }
}

/**
 * A positive integer option (digits only: no signs, fractions, exponents or hex) of at most
 * `max`, or undefined.
 */
export function positiveInteger(command: string, name: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1) || !Number.isSafeInteger(n) || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? 'a positive integer' : `an integer from 1 to ${max}`;
    throw new UsageError(`${command}: --${name} must be ${range}, got '${String(value)}'`, command);
  }
  return n;
}

/** A decimal number as people write one: digits, one point, an exponent; no hex, no spaces, no Infinity. */
const DECIMAL = /^\+?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** A finite decimal number > 0 whose reciprocal is finite too (≥ 5.6e-309), or undefined. */
export function positiveNumber(command: string, name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && DECIMAL.test(value) ? Number(value) : NaN;
  if (!(n > 0) || !Number.isFinite(n) || !Number.isFinite(1 / n)) {
    throw new UsageError(`${command}: --${name} must be a finite decimal number of at least 5.6e-309, got '${String(value)}'`, command);
  }
  return n;
}
