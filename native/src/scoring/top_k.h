// The k largest entries of a row, largest first, equal values in index order: a heap of k
// indices kept in the output itself (no allocation), whose root is the worst kept entry. An entry
// replaces the root only when it is strictly larger (an equal value comes later, so it is worse),
// which is the test the SIMD kernels make on whole vectors before offering single entries.
// O(cols · log k) at worst. The caller handles rows with a NaN (they have no order).
#ifndef SOFTMAX_SIMD_SCORING_TOP_K_H
#define SOFTMAX_SIMD_SCORING_TOP_K_H

#include <cstddef>
#include <cstdint>
#include <utility>

namespace {

template <typename T>
class TopK {
 public:
  // Keeps x[0, k) to start with; heap points at k indices of output.
  TopK(const T* x, int32_t* heap, size_t k) : x_(x), heap_(heap), k_(k) {
    for (size_t j = 0; j < k; ++j) heap_[j] = static_cast<int32_t>(j);
    for (size_t j = k / 2; j-- > 0;) sift_down(j, k);
  }

  // The value an entry must exceed to be kept.
  T threshold() const { return x_[heap_[0]]; }

  void offer(size_t i) {
    if (!(x_[i] > threshold())) return;
    heap_[0] = static_cast<int32_t>(i);
    sift_down(0, k_);
  }

  // Sorts the kept indices, best first (a heap sort: each step moves the worst to the end).
  void finish() {
    for (size_t end = k_; end-- > 1;) {
      std::swap(heap_[0], heap_[end]);
      sift_down(0, end);
    }
  }

 private:
  // a is worse than b: smaller, or equal and later.
  bool worse(int32_t a, int32_t b) const { return x_[a] < x_[b] || (x_[a] == x_[b] && a > b); }

  void sift_down(size_t j, size_t n) {
    for (;;) {
      size_t worst = j;
      const size_t l = 2 * j + 1, r = l + 1;
      if (l < n && worse(heap_[l], heap_[worst])) worst = l;
      if (r < n && worse(heap_[r], heap_[worst])) worst = r;
      if (worst == j) return;
      std::swap(heap_[j], heap_[worst]);
      j = worst;
    }
  }

  const T* x_;
  int32_t* heap_;
  size_t k_;
};

}  // namespace

#endif  // SOFTMAX_SIMD_SCORING_TOP_K_H
