// The library's own threads for async calls. Kernels that run for milliseconds must not occupy
// libuv's pool, which fs, dns.lookup, zlib and crypto share: there they held up file I/O for as
// long as they ran (README, "Batch scoring"). One pool per process, shared by every Node environment (the
// main thread and Workers), grown on demand to the most threads one call has asked for; its
// threads wait for work and are never joined: they end with the process (the pool is never
// destroyed, so no static destructor can pull it from under a running kernel). async_call.h
// drives it.
//
// The locks and condition variables are libuv's (Node's own, so the prebuilds need no newer
// libstdc++: std::condition_variable::wait is GLIBCXX_3.4.30 with GCC 12), and the containers are
// vectors (a deque or a hash set pulls in GLIBCXX_3.4.29's __throw_bad_array_new_length).
#ifndef SOFTMAX_SIMD_NODE_THREAD_POOL_H
#define SOFTMAX_SIMD_NODE_THREAD_POOL_H

#include <uv.h>

#include <algorithm>
#include <cstddef>
#include <system_error>
#include <thread>
#include <vector>

namespace {

// Work for several pool threads at once: each runs work(), which takes chunks until there are
// none left to take (or until cancel() was called); the thread that finishes last calls finish().
class PoolWork {
 public:
  virtual ~PoolWork() = default;
  virtual void work() = 0;
  virtual void cancel() = 0;
  virtual void finish() = 0;

 private:
  friend class ThreadPool;
  size_t queued_ = 0, running_ = 0;
  bool abandoned_ = false, finished_ = false;
};

// libuv's mutex held for a scope.
class Locked {
 public:
  explicit Locked(uv_mutex_t* m) : m_(m) { uv_mutex_lock(m_); }
  ~Locked() { uv_mutex_unlock(m_); }
  Locked(const Locked&) = delete;
  Locked& operator=(const Locked&) = delete;

 private:
  uv_mutex_t* m_;
};

class ThreadPool {
 public:
  static ThreadPool& instance() {
    static ThreadPool* const pool = new ThreadPool;  // never destroyed (see the top)
    return *pool;
  }

  // Queues `runs` runs of w's work() and grows the pool to that many threads if it can. Returns
  // false when the pool has no thread and none could start: w is not queued then.
  bool submit(PoolWork* w, size_t runs) {
    Locked lock(&mutex_);
    grow(runs);
    if (threads_ == 0) return false;
    w->queued_ += runs;
    queue_.insert(queue_.end(), runs, w);
    uv_cond_broadcast(&ready_);
    return true;
  }

  // For a Node environment that is going away (w must not have been freed): w is cancelled, its
  // queued runs dropped, and this returns once no pool thread works on it or is inside its
  // finish(). True when finish() was not called and never will be: the caller then owns w.
  bool abandon(PoolWork* w) {
    w->cancel();
    Locked lock(&mutex_);
    if (!w->finished_) {
      drop_queued(w);
      w->abandoned_ = true;
    }
    while (w->running_ > 0 || std::count(finishing_.begin(), finishing_.end(), w) > 0) uv_cond_wait(&idle_, &mutex_);
    return !w->finished_;
  }

 private:
  ThreadPool() {
    uv_mutex_init(&mutex_);
    uv_cond_init(&ready_);
    uv_cond_init(&idle_);
  }

  // Called with the mutex held.
  void grow(size_t n) {
    for (; threads_ < std::min(n, kMaxThreads); ++threads_) {
      try {
        std::thread([this] { loop(); }).detach();
      } catch (const std::system_error&) {
        return;  // the system has no more threads to give: the ones there share the work
      }
    }
  }

  // Called with the mutex held.
  void drop_queued(PoolWork* w) {
    queue_.erase(std::remove(queue_.begin(), queue_.end(), w), queue_.end());
    w->queued_ = 0;
  }

  void loop() {
    Locked lock(&mutex_);
    for (;;) {
      while (queue_.empty()) uv_cond_wait(&ready_, &mutex_);
      PoolWork* w = queue_.front();
      queue_.erase(queue_.begin());
      --w->queued_;
      ++w->running_;
      uv_mutex_unlock(&mutex_);
      w->work();
      uv_mutex_lock(&mutex_);
      --w->running_;
      // work() returns when no chunk is left to take: w's runs still queued would only hold its
      // settling back behind other calls' runs.
      if (w->queued_ > 0) drop_queued(w);
      if (w->abandoned_) {
        uv_cond_broadcast(&idle_);
      } else if (w->running_ == 0) {
        // finish() hands w to its owner, which may free it before finish() has even returned:
        // from here w is only an address.
        w->finished_ = true;
        finishing_.push_back(w);
        uv_mutex_unlock(&mutex_);
        w->finish();
        uv_mutex_lock(&mutex_);
        finishing_.erase(std::find(finishing_.begin(), finishing_.end(), w));
        uv_cond_broadcast(&idle_);
      }
    }
  }

  static constexpr size_t kMaxThreads = 1024;
  uv_mutex_t mutex_;
  uv_cond_t ready_, idle_;
  std::vector<PoolWork*> queue_;      // runs to take, oldest first
  std::vector<PoolWork*> finishing_;  // addresses of works inside finish() now
  size_t threads_ = 0;
};

}  // namespace

#endif  // SOFTMAX_SIMD_NODE_THREAD_POOL_H
