// The library's own threads for async calls. Kernels that run for milliseconds must not occupy
// libuv's pool, which fs, dns.lookup, zlib and crypto share: there they held up file I/O for as
// long as they ran (README, "Batch scoring"). One pool per process, shared by every Node environment (the
// main thread and Workers), grown on demand to the most threads one call has asked for; its
// threads wait for work and are never joined: they end with the process (the pool is never
// destroyed, so no static destructor can pull it from under a running kernel). Node-free:
// async_call.h drives it.
#ifndef SOFTMAX_SIMD_NODE_THREAD_POOL_H
#define SOFTMAX_SIMD_NODE_THREAD_POOL_H

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_set>

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

class ThreadPool {
 public:
  static ThreadPool& instance() {
    static ThreadPool* const pool = new ThreadPool;  // never destroyed (see the top)
    return *pool;
  }

  // Queues `runs` runs of w's work() and grows the pool to that many threads if it can. Returns
  // false when the pool has no thread and none could start: w is not queued then.
  bool submit(PoolWork* w, size_t runs) {
    std::lock_guard<std::mutex> lock(mutex_);
    grow(runs);
    if (threads_ == 0) return false;
    w->queued_ += runs;
    for (size_t i = 0; i < runs; ++i) queue_.push_back(w);
    ready_.notify_all();
    return true;
  }

  // For a Node environment that is going away (w must not have been freed): w is cancelled, its
  // queued runs dropped, and this returns once no pool thread works on it or is inside its
  // finish(). True when finish() was not called and never will be: the caller then owns w.
  bool abandon(PoolWork* w) {
    w->cancel();
    std::unique_lock<std::mutex> lock(mutex_);
    if (!w->finished_) {
      queue_.erase(std::remove(queue_.begin(), queue_.end(), w), queue_.end());
      w->queued_ = 0;
      w->abandoned_ = true;
    }
    idle_.wait(lock, [&] { return w->running_ == 0 && finishing_.count(w) == 0; });
    return !w->finished_;
  }

 private:
  ThreadPool() = default;

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

  void loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      ready_.wait(lock, [&] { return !queue_.empty(); });
      PoolWork* w = queue_.front();
      queue_.pop_front();
      --w->queued_;
      ++w->running_;
      lock.unlock();
      w->work();
      lock.lock();
      --w->running_;
      // work() returns when no chunk is left to take: w's runs still queued would only hold its
      // settling back behind other calls' runs.
      if (w->queued_ > 0) {
        queue_.erase(std::remove(queue_.begin(), queue_.end(), w), queue_.end());
        w->queued_ = 0;
      }
      if (w->abandoned_) {
        idle_.notify_all();
      } else if (w->running_ == 0 && w->queued_ == 0) {
        // finish() hands w to its owner, which may free it before finish() has even returned:
        // from here w is only an address.
        w->finished_ = true;
        finishing_.insert(w);
        lock.unlock();
        w->finish();
        lock.lock();
        finishing_.erase(w);
        idle_.notify_all();
      }
    }
  }

  static constexpr size_t kMaxThreads = 1024;
  std::mutex mutex_;
  std::condition_variable ready_, idle_;
  std::deque<PoolWork*> queue_;
  std::unordered_multiset<PoolWork*> finishing_;  // addresses of works inside finish() now
  size_t threads_ = 0;
};

}  // namespace

#endif  // SOFTMAX_SIMD_NODE_THREAD_POOL_H
