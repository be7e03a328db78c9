// How the bindings run a batch of rows: on the calling thread, on std::threads (sync calls), or
// on the library's threads (async calls, node/async_call.h), cut on the same grid of chunks
// (node/row_jobs.h), so the result is the same bits in every case.
#ifndef SOFTMAX_SIMD_NODE_RUN_ROWS_H
#define SOFTMAX_SIMD_NODE_RUN_ROWS_H

#include <napi.h>

#include <cmath>
#include <memory>
#include <utility>
#include <vector>

#include "node/arguments.h"
#include "node/async_call.h"
#include "node/row_jobs.h"

namespace {

// Runs a batch of rows through `run(begin, end)` (which returns the rows' partial total),
// according to the call's last argument, info[at]:
// - a number of threads (an integer in [1, 1024]) for a sync call, which returns the total;
// - an Int32Array [stop, threads] for an async call, which returns a Promise of the total (null
//   when JS set `stop` before the last chunk).
// One argument for both keeps softmax at six, the most node-addon-api takes without allocating.
template <class F>
Napi::Value run_rows(const Napi::CallbackInfo& info, size_t at, size_t rows, size_t cols, F run) {
  const Napi::Env env = info.Env();
  const Napi::Value how = info[at];
  napi_valuetype type;
  const bool async_call = napi_typeof(env, how, &type) == napi_ok && type == napi_object;
  View control;
  if (async_call) {
    control = typed_array(how, "control");
    if (control.type != napi_int32_array || control.length < 2) throw_type(env, "control must be an Int32Array [stop, threads]");
  }
  const double threads = async_call ? data<const int32_t>(control)[1] : number(how, "threads");
  if (!(threads >= 1 && threads <= 1024) || threads != std::floor(threads)) {
    throw_range(env, "threads must be an integer in [1, 1024]");
  }
  if (!async_call && threads == 1) return Napi::Number::New(env, run_chunks_serially(rows, cols, run));
  if (!async_call) {
    RowJob job(rows, cols, std::move(run));
    job.run_on(static_cast<size_t>(threads));
    return Napi::Number::New(env, job.total());
  }
  auto call = std::make_unique<AsyncCall>(static_cast<AsyncCalls*>(info.Data()), rows, cols, std::move(run),
                                         data<const int32_t>(control));
  std::vector<napi_value> objects;
  for (size_t i = 0; i < info.Length(); ++i) {
    if (info[i].IsObject()) objects.push_back(info[i]);
  }
  const napi_value promise = call->calls->start(env, std::move(call), static_cast<size_t>(threads), objects);
  if (!promise) throw Napi::Error::New(env, "could not create a Promise");
  return Napi::Value(env, promise);
}

}  // namespace

#endif  // SOFTMAX_SIMD_NODE_RUN_ROWS_H
