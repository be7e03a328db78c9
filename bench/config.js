// The benchmark's settings, from the command line and the environment (each flag has a variable).
// A child process gets the parent's arguments, so both read the same configuration.

const SECTIONS = ['tables', 'edge', 'sweep', 'small', 'losses', 'async'];
/** Sections run without --only: all but `async` (opt-in: it measures threads, with results of its own). */
const DEFAULT_SECTIONS = SECTIONS.filter((s) => s !== 'async');

const DEFAULTS = {
  full: { shapes: '1x10,4096x10,1024x1000,256x32000,8x256000,65536x128', sweepCols: powersOfTwo(1, 20) },
  quick: { shapes: '1x10,1024x1000,256x32000', sweepCols: [2 ** 2, 2 ** 8, 2 ** 14, 2 ** 20] },
};

const USAGE = `usage: node bench/run.js [--quick] [--only=${SECTIONS.join(',')}] [--no-peers]  (see bench/README.md)`;

function powersOfTwo(from, to) {
  return Array.from({ length: to - from + 1 }, (_, i) => 2 ** (from + i));
}

function positiveInt(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bench: ${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

function parseShapes(text) {
  return text.split(',').map((s) => {
    const m = s.trim().match(/^(\d+)\s*[x×]\s*(\d+)$/);
    if (!m || +m[1] < 1 || +m[2] < 1) throw new Error(`bench: BENCH_SHAPES wants "ROWSxCOLS,…", got ${JSON.stringify(s)}`);
    return { rows: +m[1], cols: +m[2] };
  });
}

function parseSections(text) {
  const sections = text.split(',').map((s) => s.trim());
  const unknown = sections.filter((s) => !SECTIONS.includes(s));
  if (unknown.length) throw new Error(`bench: unknown section ${unknown.join(', ')} in --only / BENCH_ONLY (known: ${SECTIONS.join(', ')})`);
  return sections;
}

/** Flags → { quick, only, peers, child }; `--only LIST` and `--only=LIST` both work. */
function parseArgs(argv) {
  const args = { quick: false, only: undefined, peers: true, child: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => inline ?? argv[++i];
    if (flag === '--quick') args.quick = true;
    else if (flag === '--no-peers') args.peers = false;
    else if (flag === '--only') args.only = value();
    else if (flag === '--child') args.child = value(); // internal: run.js starts itself per native ISA
    else throw new Error(`bench: unknown argument ${JSON.stringify(argv[i])}\n${USAGE}`);
  }
  return args;
}

export function readConfig(argv = process.argv.slice(2), env = process.env) {
  const args = parseArgs(argv);
  const quick = args.quick || env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const defaults = quick ? DEFAULTS.quick : DEFAULTS.full;
  return {
    quick,
    samples: positiveInt(env, 'BENCH_SAMPLES', quick ? 3 : 7),
    sampleMs: quick ? 5 : 20, // each sample runs the op for at least this long
    warmupMs: quick ? 20 : 100, // calibration and warm-up together, before the samples (see harness.measure)
    budgetMs: quick ? 250 : 1500, // no more samples after this long, unless there is none yet
    seed: positiveInt(env, 'BENCH_SEED', 1),
    filter: env.BENCH_FILTER ?? '',
    shapes: parseShapes(env.BENCH_SHAPES || defaults.shapes),
    sweepCols: defaults.sweepCols,
    sections: parseSections(args.only ?? env.BENCH_ONLY ?? DEFAULT_SECTIONS.join(',')),
    peers: args.peers && env.BENCH_PEERS !== '0',
    child: args.child,
  };
}
