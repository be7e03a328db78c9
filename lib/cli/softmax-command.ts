// softmax-simd softmax IN.npy OUT.npy [--temperature T] [--log] [--threads N] [--chunk-rows N]
//   [--quiet]
// Streams IN through softmaxAsync (logSoftmaxAsync with --log) chunk by chunk, in place in the
// chunk's buffer, into OUT.npy of the same dtype and shape. A file OUT is written under a
// temporary name and renamed at the end (so OUT may even be IN); a stream OUT ('-', a FIFO) is
// written as the chunks come (output.ts). IN may be '-' or a pipe, read once in order.
import { backend, logSoftmaxAsync, softmaxAsync } from '../index.js';
import type { FloatArray } from '../types.js';
import { MAX_THREADS, parseCommand, positiveInteger, positiveNumber } from './args.js';
import { defaultChunkRows, readChunks } from './chunks.js';
import type { CommandContext } from './context.js';
import { openLogits } from './inputs.js';
import { NpyWriter, dtypeName, itemSize } from './npy.js';
import { STDIO, planOutput } from './output.js';
import { Progress, count, perSecond, progressMode } from './progress.js';
import { softmaxUsage } from './usage.js';

export async function softmaxCommand(args: readonly string[], ctx: CommandContext): Promise<number> {
  const { values, positionals, help } = parseCommand(
    'softmax',
    args,
    {
      temperature: { type: 'string' },
      log: { type: 'boolean' },
      threads: { type: 'string' },
      'chunk-rows': { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
    },
    ['IN.npy', 'OUT.npy'],
  );
  if (help) {
    ctx.stdout.write(softmaxUsage);
    return 0;
  }
  const temperature = positiveNumber('softmax', 'temperature', values.temperature);
  const threads = positiveInteger('softmax', 'threads', values.threads, MAX_THREADS);
  const chunkOption = positiveInteger('softmax', 'chunk-rows', values['chunk-rows']);
  const quiet = values.quiet === true;
  const fn = values.log ? logSoftmaxAsync : softmaxAsync;
  const name = values.log ? 'logSoftmax' : 'softmax';

  const [inPath, outPath] = positionals;
  const plan = await planOutput(outPath); // before any input is read
  // With the output on standard output, the closing line goes to standard error.
  const report = outPath === STDIO ? ctx.stderr : ctx.stdout;
  const input = await openLogits(inPath, 'input');
  let writer: NpyWriter | undefined;
  const progress = new Progress({ label: name, total: input.rows, mode: progressMode(ctx.stderr, quiet), stream: ctx.stderr });
  try {
    const { rows, cols } = input;
    writer = await NpyWriter.create(plan, input.dtype, input.file.header.shape);
    const chunkRows = chunkOption ?? defaultChunkRows(cols, itemSize(input.dtype));
    const start = performance.now();
    let done = 0;
    for await (const chunk of readChunks([{ file: input.file, perRow: cols }], rows, chunkRows, ctx.signal)) {
      const x = chunk.arrays[0] as FloatArray;
      const y = await fn(x, {
        cols,
        out: x,
        ...(temperature !== undefined && { temperature }),
        ...(threads !== undefined && { threads }),
        signal: ctx.signal,
      });
      await writer.append(y);
      done += chunk.rows;
      progress.update(done);
    }
    const seconds = (performance.now() - start) / 1000;
    await writer.commit();
    progress.finish();
    if (!quiet) {
      const rate = perSecond(seconds > 0 ? rows / seconds : 0);
      report.write(
        `${name}: wrote ${writer.path} (${count(rows)} x ${count(cols)} ${dtypeName(input.dtype)}) in ${seconds.toFixed(3)} s, ${rate} (${backend.isa})\n`,
      );
    }
    return 0;
  } catch (error) {
    await writer?.abort();
    throw error;
  } finally {
    progress.finish();
    await input.file.close();
  }
}
