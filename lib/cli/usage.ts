// The --help texts of the program and of each command.

export const programUsage = `Usage: softmax-simd <command> [options]

Softmax, scoring and a benchmark over NumPy .npy files, streamed in chunks of rows.

Commands:
  score LOGITS.npy [options]     predictions, confidence, top-k, accuracy, mean NLL, perplexity
  softmax IN.npy OUT.npy         softmax (or log-softmax) of every row into a new .npy file
  bench [--quick] [--json]       a quick benchmark of this machine's backend

Options:
  -h, --help      this text ('softmax-simd <command> --help' for a command's)
  -V, --version   the package version

Inputs are .npy files (format 1.0, 2.0 or 3.0) in C order: logits little-endian float32 or
float64 ('<f4', '<f8'), shape [rows, cols] or [cols] (one row).

Files, pipes and '-':
  An input may be '-' (standard input), a FIFO or /dev/stdin: it is read once, as a stream.
  An output may be '-' (standard output): the data go there, and the closing line or summary
  to standard error. A regular file is written under a temporary name beside it and renamed
  into place at the end, so a failed or interrupted run leaves no half-written file; a
  symbolic link is followed and its target replaced that way (the link stays). A FIFO, a
  device or a socket is written to directly as the data come. Output paths are checked
  (a folder, a missing folder, no permission) before any input is read.

Exit codes: 0 success, 1 bad input or an output that cannot be written (the message names the
path), 2 usage error or a bad SOFTMAX_SIMD_* variable, 128 + n for signal n: SIGINT (130),
SIGTERM (143), SIGHUP (129), SIGQUIT (131) and the other terminating signals stop the run at
the next chunk, remove its temporary files and exit so; a second signal ends it at once.
Progress and messages to a closed pipe (... 2>&1 | head) never stop the work.
Environment: SOFTMAX_SIMD_BACKEND=js forces the pure-TypeScript path.
`;

export const scoreUsage = `Usage: softmax-simd score LOGITS.npy [options]

Scores every row of LOGITS.npy (float32 or float64, [rows, cols] or [cols]; '-' for standard
input): the predicted class (argmax; -1 for a row holding a NaN), its probability (confidence),
and with --labels the per-row negative log-likelihood; prints a summary. The file is read in
chunks of rows, so its size is not limited by memory.

Options:
  --labels FILE     integer class labels [rows] (int8/16/32/64 or uint8/16/32/64), each in
                    [0, cols): adds accuracy, mean NLL and perplexity to the summary ('-':
                    standard input, when LOGITS is not)
  --top-k K         also the K most probable classes of each row (1 <= K <= cols)
  --out FILE        write the per-row results; the format follows FILE's extension (below);
                    '-' writes the JSON document to standard output (the summary then goes
                    to standard error)
  --threads N       threads to score with, 1 to 1024 (default: the library's choice)
  --chunk-rows N    rows per chunk (default: about 8 MiB of logits)
  --json            print the summary as one JSON object instead of the text block
  -q, --quiet       no progress on stderr
  -h, --help        this text

--out FILE.npy writes NumPy files:
  FILE.npy                    predictions, int32 [rows]
  FILE.confidence.npy         max probability per row, the logits' dtype [rows]
  FILE.nll.npy                with --labels: -log p(label) per row, the logits' dtype [rows]
  FILE.topk-indices.npy       with --top-k: int32 [rows, K], most probable first
  FILE.topk-values.npy        with --top-k: their probabilities, the logits' dtype [rows, K]
  (so --out run/preds.npy also writes run/preds.confidence.npy, ...)

--out FILE.json writes one JSON document, one top-level key per line:
  {"predictions":[3,0,...],
  "confidence":[0.91,0.62,...],
  "nll":[0.094,0.478,...],                                 (with --labels)
  "topK":{"indices":[[3,1],[0,2],...],"values":[[0.91,0.05],[0.62,0.3],...]},   (with --top-k)
  "summary":{...the object --json prints...}}
  NaN and infinities are written as null; float32 values with the fewest digits that read back
  as the same float32.

Output files are written under temporary names and renamed when the run succeeds, so a failed
or interrupted run leaves no partial file under the final name (a FIFO or '-' is written as the
run goes: see 'softmax-simd --help').

The summary (--json) has: logits, labels, rows, cols, dtype, topK, accuracy, correct, meanNll,
perplexity (= exp(meanNll)), nllRows, nanRows, infiniteRows, maskedRows, seconds, rowsPerSecond,
backend, outputs (keys without a value are left out; NaN is null). Every row is counted: rows
with a NaN logit (nanRows), a +Inf logit (infiniteRows) or only -Inf logits (maskedRows) have no
finite prediction and are left out of meanNll, which averages the other nllRows rows (null when
there are none); a row of only -Inf logits is never counted correct.

Examples:
  softmax-simd score logits.npy --labels labels.npy
  softmax-simd score logits.npy --top-k 5 --out preds.npy --json
  cat logits.npy | softmax-simd score - --labels labels.npy --json
`;

export const softmaxUsage = `Usage: softmax-simd softmax IN.npy OUT.npy [options]

Writes the softmax of every row of IN.npy (float32 or float64, [rows, cols] or [cols]) to
OUT.npy, with IN's dtype and shape; rows are streamed in chunks, so the size is not limited by
memory. OUT is written under a temporary name and renamed at the end (it may be IN itself).
IN may be '-' (standard input) and OUT '-' (standard output; the closing line then goes to
standard error).

Options:
  --temperature T   softmax(x / T); T finite and ≥ 5.6e-309 (default 1)
  --log             log-softmax instead
  --threads N       threads to compute with, 1 to 1024 (default: the library's choice)
  --chunk-rows N    rows per chunk (default: about 8 MiB)
  -q, --quiet       no progress on stderr and no closing line on stdout
  -h, --help        this text

Examples:
  softmax-simd softmax logits.npy probs.npy --temperature 0.7
  softmax-simd softmax logits.npy - > probs.npy
`;

export const benchUsage = `Usage: softmax-simd bench [--quick] [--json]

Times softmax, logSumExp, crossEntropyWithGrad and score on 1024 x 1000 logits (float32 and
float64): the native path (the package root; the pure-TS path when the addon did not load or
SOFTMAX_SIMD_BACKEND=js), the pure-TS path (softmax-simd/js), a plain-JS Math.exp loop softmax,
and the copy ceiling (TypedArray.prototype.set moving as many bytes as the function reads and
writes). Prints the backend, then Melem/s (median of several repeats after a warm-up) and the
ratios native / pure TS, native / plain JS and time over copy.

Options:
  --quick     fewer repeats (under 10 s)
  --json      print the results as one JSON object
  -h, --help  this text
`;
