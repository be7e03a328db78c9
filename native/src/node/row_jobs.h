// A batch of rows cut into chunks on a fixed grid, run by one or more threads that take chunks in
// turn. Node-free: addon.cc runs a job on the calling thread plus std::threads (sync calls) or on
// the library's thread pool (async calls: async_call.h).
//
// The grid depends only on the shape (about kChunkElements per chunk, whole rows), and each
// chunk's partial total (a loss or NLL sum) has its own slot; the slots are added in chunk order.
// So the outputs and the total are the same bits whatever the number of threads, sync or async.
// A chunk of 64K elements is small enough to balance two threads on a noisy machine and to stop
// soon after an abort, and large enough that taking a chunk costs nothing beside its work.
#ifndef SOFTMAX_SIMD_NODE_ROW_JOBS_H
#define SOFTMAX_SIMD_NODE_ROW_JOBS_H

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <system_error>
#include <thread>
#include <vector>

#include "simd/compensated_sum.h"

namespace {

constexpr size_t kChunkElements = size_t{1} << 16;

// Rows per chunk of the grid, for rows of `cols` elements.
inline size_t chunk_rows(size_t cols) { return std::max<size_t>(1, kChunkElements / std::max<size_t>(cols, 1)); }

// The grid on the calling thread alone: the chunks in order and their totals added in that order,
// the same bits as RowJob::total, without a job to allocate (small calls feel every allocation).
template <class F>
double run_chunks_serially(size_t rows, size_t cols, F run) {
  const size_t step = chunk_rows(cols);
  CompensatedSum total;
  for (size_t begin = 0; begin < rows; begin += step) total.add(run(begin, std::min(rows, begin + step)));
  return total.value();
}

class RowJob {
 public:
  // run(begin, end) computes rows [begin, end) and returns their partial total. `cancel`, when not
  // null, is a flag another thread may set (non-zero) to stop the job between chunks.
  RowJob(size_t rows, size_t cols, std::function<double(size_t, size_t)> run, const int32_t* cancel = nullptr)
      : rows_(rows),
        chunk_rows_(chunk_rows(cols)),
        partial_((rows + chunk_rows_ - 1) / chunk_rows_),
        run_(std::move(run)),
        cancel_(cancel) {}

  size_t chunks() const { return partial_.size(); }

  // Takes chunks until none is left (or the job is cancelled); any number of threads at once.
  void work() {
    for (;;) {
      const size_t c = next_.fetch_add(1, std::memory_order_relaxed);
      if (c >= partial_.size()) return;
      if (cancelled_.load(std::memory_order_relaxed) || (cancel_ && __atomic_load_n(cancel_, __ATOMIC_RELAXED) != 0)) {
        stopped_.store(true, std::memory_order_relaxed);
        return;
      }
      const size_t begin = c * chunk_rows_;
      partial_[c] = run_(begin, std::min(rows_, begin + chunk_rows_));
    }
  }

  // On the calling thread and threads − 1 more, until done (with fewer if the system has no
  // more threads to give: any thread can take any chunk).
  void run_on(size_t threads) {
    std::vector<std::thread> extra;
    try {
      for (size_t t = 1; t < std::min(threads, chunks()); ++t) extra.emplace_back([this] { work(); });
    } catch (const std::system_error&) {
    }
    work();
    for (std::thread& t : extra) t.join();
  }

  // Stops the job between chunks, as the `cancel` flag does (from any thread).
  void cancel() { cancelled_.store(true, std::memory_order_relaxed); }

  bool stopped() const { return stopped_.load(std::memory_order_relaxed); }

  // The partial totals added in chunk order (call once every worker has returned).
  double total() const {
    CompensatedSum sum;
    for (double p : partial_) sum.add(p);
    return sum.value();
  }

 private:
  size_t rows_, chunk_rows_;
  std::vector<double> partial_;
  std::function<double(size_t, size_t)> run_;
  const int32_t* cancel_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> cancelled_{false}, stopped_{false};
};

}  // namespace

#endif  // SOFTMAX_SIMD_NODE_ROW_JOBS_H
