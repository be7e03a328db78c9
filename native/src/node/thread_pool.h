// The library's own threads for async calls. Kernels that run for milliseconds must not occupy
// libuv's pool, which fs, dns.lookup, zlib and crypto share: there they held up file I/O for as
// long as they ran (README, "Batch scoring"). One pool per process, shared by every Node environment (the
// main thread and Workers), grown on demand to the most threads one call has asked for; its
// threads wait for work and are never joined: they end with the process (the pool is never
// destroyed, so no static destructor can pull it from under a running kernel). async_call.h
// drives it.
//
// The lock and condition variables are pthread's on POSIX, so the prebuilds need no newer
// libstdc++ (std::condition_variable::wait is GLIBCXX_3.4.30 with GCC 12), and the containers are
// vectors (a deque or a hash set pulls in GLIBCXX_3.4.29's __throw_bad_array_new_length).
#ifndef SOFTMAX_SIMD_NODE_THREAD_POOL_H
#define SOFTMAX_SIMD_NODE_THREAD_POOL_H

#include <algorithm>
#include <cstddef>
#include <system_error>
#include <thread>
#include <vector>

#if defined(_WIN32)
#include <condition_variable>
#include <mutex>
#else
#include <pthread.h>
#endif

namespace {

// A mutex and a condition variable over it (see the top for why not the standard ones on POSIX).
#if defined(_WIN32)
class Mutex {
 public:
  void lock() { m_.lock(); }
  void unlock() { m_.unlock(); }
  std::mutex& native() { return m_; }

 private:
  std::mutex m_;
};
class Cond {
 public:
  void wait(Mutex* m) {
    std::unique_lock<std::mutex> held(m->native(), std::adopt_lock);
    c_.wait(held);
    held.release();
  }
  void broadcast() { c_.notify_all(); }

 private:
  std::condition_variable c_;
};
#else
class Mutex {
 public:
  Mutex() { pthread_mutex_init(&m_, nullptr); }
  void lock() { pthread_mutex_lock(&m_); }
  void unlock() { pthread_mutex_unlock(&m_); }
  pthread_mutex_t* native() { return &m_; }

 private:
  pthread_mutex_t m_;
};
class Cond {
 public:
  Cond() { pthread_cond_init(&c_, nullptr); }
  void wait(Mutex* m) { pthread_cond_wait(&c_, m->native()); }
  void broadcast() { pthread_cond_broadcast(&c_); }

 private:
  pthread_cond_t c_;
};
#endif

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

// The mutex held for a scope.
class Locked {
 public:
  explicit Locked(Mutex* m) : m_(m) { m_->lock(); }
  ~Locked() { m_->unlock(); }
  Locked(const Locked&) = delete;
  Locked& operator=(const Locked&) = delete;

 private:
  Mutex* m_;
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
    ready_.broadcast();
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
    while (w->running_ > 0 || std::count(finishing_.begin(), finishing_.end(), w) > 0) idle_.wait(&mutex_);
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

  // Called with the mutex held.
  void drop_queued(PoolWork* w) {
    queue_.erase(std::remove(queue_.begin(), queue_.end(), w), queue_.end());
    w->queued_ = 0;
  }

  void loop() {
    Locked lock(&mutex_);
    for (;;) {
      while (queue_.empty()) ready_.wait(&mutex_);
      PoolWork* w = queue_.front();
      queue_.erase(queue_.begin());
      --w->queued_;
      ++w->running_;
      mutex_.unlock();
      w->work();
      mutex_.lock();
      --w->running_;
      // work() returns when no chunk is left to take: w's runs still queued would only hold its
      // settling back behind other calls' runs.
      if (w->queued_ > 0) drop_queued(w);
      if (w->abandoned_) {
        idle_.broadcast();
      } else if (w->running_ == 0) {
        // finish() hands w to its owner, which may free it before finish() has even returned:
        // from here w is only an address.
        w->finished_ = true;
        finishing_.push_back(w);
        mutex_.unlock();
        w->finish();
        mutex_.lock();
        finishing_.erase(std::find(finishing_.begin(), finishing_.end(), w));
        idle_.broadcast();
      }
    }
  }

  static constexpr size_t kMaxThreads = 1024;
  Mutex mutex_;
  Cond ready_, idle_;
  std::vector<PoolWork*> queue_;      // runs to take, oldest first
  std::vector<PoolWork*> finishing_;  // addresses of works inside finish() now
  size_t threads_ = 0;
};

}  // namespace

#endif  // SOFTMAX_SIMD_NODE_THREAD_POOL_H
