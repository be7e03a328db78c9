// Async calls on the library's own threads (thread_pool.h). A call's RowJob runs there; the thread
// that finishes it hands it back through its environment's thread-safe function, and the promise
// is settled on the JS thread. Nothing else crosses threads: no Node-API call is made off the JS
// thread but napi_call_threadsafe_function.
//
// Each Node environment (the main thread, each Worker) has one AsyncCalls, made when the addon
// loads there: its thread-safe function (referenced only while calls are in flight, so idle it
// keeps no event loop alive), the calls in flight, and a cleanup hook. When the environment goes
// away (a Worker terminated, the process exiting) the hook cancels its calls and waits until no
// pool thread touches their arrays any more; the hook is added after the thread-safe function is
// made, so it runs before that function closes (cleanup hooks run newest first).
#ifndef SOFTMAX_SIMD_NODE_ASYNC_CALL_H
#define SOFTMAX_SIMD_NODE_ASYNC_CALL_H

#include <node_api.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "node/row_jobs.h"
#include "node/thread_pool.h"

namespace {

class AsyncCalls;

struct AsyncCall final : PoolWork {
  AsyncCall(AsyncCalls* calls, size_t rows, size_t cols, std::function<double(size_t, size_t)> run, const int32_t* stop)
      : job(rows, cols, std::move(run), stop), calls(calls) {}
  void work() override { job.work(); }
  void cancel() override { job.cancel(); }
  void finish() override;

  RowJob job;
  AsyncCalls* calls;
  napi_deferred deferred = nullptr;
  std::vector<napi_ref> held;  // the call's arrays (and anything else it was given), kept alive
};

class AsyncCalls {
 public:
  // For the environment the addon is loading in; null if Node-API could not make the parts.
  static AsyncCalls* create(napi_env env) {
    auto calls = std::make_unique<AsyncCalls>();
    napi_value name = nullptr;
    if (napi_create_string_utf8(env, "softmax-simd", NAPI_AUTO_LENGTH, &name) != napi_ok ||
        napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, calls.get(), finalize, calls.get(), settle,
                                        &calls->tsfn_) != napi_ok) {
      return nullptr;
    }
    napi_unref_threadsafe_function(env, calls->tsfn_);
    napi_add_env_cleanup_hook(env, cleanup, calls.get());
    return calls.release();  // freed by finalize, when the environment closes the function
  }

  // Starts `call` on `threads` pool threads (fewer if it has fewer chunks), keeping `objects`
  // alive until it settles; returns its promise.
  napi_value start(napi_env env, std::unique_ptr<AsyncCall> call, size_t threads, const std::vector<napi_value>& objects) {
    napi_value promise = nullptr;
    if (napi_create_promise(env, &call->deferred, &promise) != napi_ok) return nullptr;
    for (napi_value object : objects) {
      napi_ref ref = nullptr;
      if (napi_create_reference(env, object, 1, &ref) == napi_ok) call->held.push_back(ref);
    }
    AsyncCall* c = call.release();  // from here freed by settle() or cleanup()
    if (live_.empty()) napi_ref_threadsafe_function(env, tsfn_);
    live_.push_back(c);
    if (!ThreadPool::instance().submit(c, std::min(threads, c->job.chunks()))) {
      c->job.work();  // no thread could start: the JS thread does the work
      settle(env, nullptr, this, c);
    }
    return promise;
  }

  void deliver(AsyncCall* call) { napi_call_threadsafe_function(tsfn_, call, napi_tsfn_nonblocking); }

 private:
  // On the JS thread: resolves the call's promise with its total (null when it was stopped) and
  // frees it. Node calls this with a null env while it closes the function: just free the call.
  static void settle(napi_env env, napi_value, void* context, void* data) {
    auto* calls = static_cast<AsyncCalls*>(context);
    const std::unique_ptr<AsyncCall> call(static_cast<AsyncCall*>(data));
    if (env == nullptr || calls->closing_) return;
    calls->live_.erase(std::find(calls->live_.begin(), calls->live_.end(), call.get()));
    if (calls->live_.empty()) napi_unref_threadsafe_function(env, calls->tsfn_);
    for (napi_ref ref : call->held) napi_delete_reference(env, ref);
    // Plain Node-API, failures ignored: a C++ exception out of here would abort the process.
    napi_value result = nullptr;
    const napi_status made =
        call->job.stopped() ? napi_get_null(env, &result) : napi_create_double(env, call->job.total(), &result);
    if (made == napi_ok) napi_resolve_deferred(env, call->deferred, result);
  }

  // The environment is going away: its calls are cancelled and waited for. Those already handed
  // to the thread-safe function are freed by settle(); the others here. Their promises are never
  // settled: no JS runs in this environment again.
  static void cleanup(void* arg) {
    auto* calls = static_cast<AsyncCalls*>(arg);
    calls->closing_ = true;
    for (AsyncCall* call : calls->live_) {
      if (ThreadPool::instance().abandon(call)) delete call;
    }
    calls->live_.clear();
  }

  static void finalize(napi_env, void* data, void*) { delete static_cast<AsyncCalls*>(data); }

  napi_threadsafe_function tsfn_ = nullptr;
  std::vector<AsyncCall*> live_;  // started and not settled; touched on the JS thread only
  bool closing_ = false;
};

inline void AsyncCall::finish() { calls->deliver(this); }

}  // namespace

#endif  // SOFTMAX_SIMD_NODE_ASYNC_CALL_H
