/*
 * softmax-simd kernel ABI.
 *
 * Every ISA (serial, avx2, avx512, neon) implements the same functions over
 * row-major `rows x cols` data. They are plain C functions: no exceptions, no allocation,
 * no Node headers. Callers (the Node binding, the C++ tests) check shapes before calling;
 * a kernel trusts that every pointer covers the sizes it is given.
 *
 * Numerics (see DESIGN.md): m = max of the row, exp(x - m); NaN anywhere in a row makes its
 * outputs NaN; +Inf makes softmax / log-softmax NaN and log-sum-exp +Inf; a row of all -Inf
 * gives NaN (SSM_ALL_MASKED_NAN, PyTorch) or 0 / -Inf (SSM_ALL_MASKED_ZERO) and log-sum-exp -Inf.
 */
#ifndef SOFTMAX_SIMD_KERNELS_H
#define SOFTMAX_SIMD_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What softmax / log-softmax write for a row whose entries are all -Inf. */
enum ssm_all_masked { SSM_ALL_MASKED_NAN = 0, SSM_ALL_MASKED_ZERO = 1 };

/*
 * Fused softmax cross-entropy over logits / temperature, one row per sample.
 *
 * Class-index targets (target != NULL): loss_i = (1-eps) w[y_i] (lse_i - z_i[y_i])
 *   + (eps/C) sum_c w[c] (lse_i - z_i[c]); a row with y_i == ignore_index has loss 0 and gradient 0.
 * Soft targets (target_probs != NULL): t' = (1-eps) t + eps/C, loss_i = sum_c w[c] t'_i[c] (lse_i - z_i[c]).
 * With q_c the coefficient of (lse - z_c) above and Q = sum_c q_c, d loss_i / d x_c =
 * (Q softmax(z)_c - q_c) / temperature; grad_out receives that times grad_scale, times
 * grad_row_scale[i] when given. Rows are read before they are written, so grad_out may be the
 * logits (or the soft targets) themselves.
 *
 * Returns sum_i loss_i in double (the caller divides for 'mean').
 */
#define SSM_CROSS_ENTROPY_ARGS(suffix, real)                                                    \
  typedef struct cross_entropy_args_##suffix {                                                  \
    const real* logits;           /* rows x cols */                                             \
    size_t rows, cols;                                                                          \
    const int32_t* target;        /* rows class indices, or NULL */                             \
    const real* target_probs;     /* rows x cols probabilities, or NULL */                      \
    int32_t ignore_index;         /* class-index targets only */                                \
    const real* weight;           /* cols finite class weights, or NULL for all ones */         \
    double label_smoothing;       /* eps in [0, 1] */                                           \
    double temperature;           /* > 0; logits are divided by it */                           \
    real* loss_out;               /* rows per-row losses, or NULL */                            \
    real* grad_out;               /* rows x cols gradient, or NULL to skip it */                \
    double grad_scale;            /* factor on every gradient row ('mean': 1 / denominator) */ \
    const real* grad_row_scale;   /* rows extra per-row factors, or NULL */                     \
  } cross_entropy_args_##suffix;

SSM_CROSS_ENTROPY_ARGS(f32, float)
SSM_CROSS_ENTROPY_ARGS(f64, double)
#undef SSM_CROSS_ENTROPY_ARGS

/*
 * Binary cross-entropy on logits, element-wise over n = rows x cols values (PyTorch's
 * binary_cross_entropy_with_logits): with l = 1 + (pw_c - 1) t,
 *   loss_i = w_i ((1 - t_i) x_i + l (max(-x_i, 0) + log1p(exp(-|x_i|)))),
 *   d loss_i / d x_i = w_i (l sigmoid(x_i) - pw_c t_i).
 * grad_out receives the gradient times grad_scale (times grad_element_scale[i] when given).
 * Elements are read before they are written, so either output may be x or target itself.
 * Returns sum_i loss_i in double when loss_out is given or grad_out is NULL, else 0.
 */
/* The outputs every element-wise loss takes (BCE, regression): the same fields, in this order. */
#define SSM_ELEMENT_OUTPUTS(real)                                                               \
    real* loss_out;                    /* n element losses, or NULL */                          \
    real* grad_out;                    /* n gradient values, or NULL */                         \
    double grad_scale;                                                                          \
    const real* grad_element_scale;    /* n extra factors, or NULL */

#define SSM_BCE_ARGS(suffix, real)                                                              \
  typedef struct bce_args_##suffix {                                                            \
    const real* x;                     /* n logits */                                           \
    const real* target;                /* n targets */                                          \
    size_t n, cols;                    /* cols divides n */                                     \
    const real* weight;                /* n or cols weights, or NULL for all ones */            \
    int weight_per_element;            /* weight has n entries (else cols) */                   \
    const real* pos_weight;            /* cols weights of the positive term, or NULL */         \
    SSM_ELEMENT_OUTPUTS(real)                                                                   \
  } bce_args_##suffix;

SSM_BCE_ARGS(f32, float)
SSM_BCE_ARGS(f64, double)
#undef SSM_BCE_ARGS

/* The information measures over rows of probabilities. */
enum ssm_measure { SSM_ENTROPY = 0, SSM_CROSS_ENTROPY = 1, SSM_KL_DIVERGENCE = 2 };

/*
 * One value per row: entropy -sum p log p, cross-entropy -sum p log q, or KL divergence
 * sum p log(p / q), times `scale` (1 / ln base). 0 log 0 = 0 (p = 0 contributes 0 whatever q
 * is); q = 0 where p > 0 gives +Inf. First every row of p (and q) is checked: entries finite
 * and >= 0, and the sum within `tolerance` of 1 (with `normalize`, > 0 and finite: each row is
 * then divided by its sum). The kernel returns the first row that fails, having written
 * nothing, or -1 once it has written out.
 */
#define SSM_INFORMATION_ARGS(suffix, real)                                                      \
  typedef struct information_args_##suffix {                                                    \
    int measure;          /* enum ssm_measure */                                                \
    const real* p;        /* rows x cols */                                                     \
    const real* q;        /* rows x cols, or NULL for the entropy */                            \
    real* out;            /* rows values */                                                     \
    size_t rows, cols;                                                                          \
    int normalize;                                                                              \
    double scale;                                                                               \
    double tolerance;                                                                           \
  } information_args_##suffix;

SSM_INFORMATION_ARGS(f32, float)
SSM_INFORMATION_ARGS(f64, double)
#undef SSM_INFORMATION_ARGS

/* The regression losses, of d = input - target per element. */
enum ssm_regression { SSM_L1 = 0, SSM_L2 = 1, SSM_MSE = 2, SSM_HUBER = 3, SSM_SMOOTH_L1 = 4 };

/*
 * Element losses and gradients (PyTorch's): L1 |d|, sign(d) (0 at 0); L2 d^2/2, d; MSE d^2, 2d;
 * Huber (param delta > 0) d^2/2 below delta, else delta (|d| - delta/2), d clamped to
 * [-delta, delta]; smooth L1 (param beta > 0; callers send beta = 0 as L1) d^2/(2 beta) below beta, else
 * |d| - beta/2, d/beta clamped to [-1, 1]. grad_out receives the gradient times grad_scale (times
 * grad_element_scale[i] when given); outputs may be input or target themselves. Returns the sum of
 * the losses when loss_out is given or grad_out is NULL, else 0.
 */
#define SSM_REGRESSION_ARGS(suffix, real)                                                       \
  typedef struct regression_args_##suffix {                                                     \
    int kind;                       /* enum ssm_regression */                                   \
    const real* input;                                                                          \
    const real* target;                                                                         \
    size_t n;                                                                                   \
    double param;                   /* delta or beta */                                         \
    SSM_ELEMENT_OUTPUTS(real)                                                                   \
  } regression_args_##suffix;

SSM_REGRESSION_ARGS(f32, float)
SSM_REGRESSION_ARGS(f64, double)
#undef SSM_REGRESSION_ARGS
#undef SSM_ELEMENT_OUTPUTS

/*
 * One-pass scoring of logit rows: the argmax, the row's log-sum-exp and max probability, the
 * negative log-likelihood of a label, and the top k classes, from one read of each row (the row
 * is read again from cache). Every output is optional (NULL skips it, and what no output needs
 * is not computed).
 *   predictions[i]: the first index of the row's max; -1 for a row with a NaN.
 *   log_sum_exp[i]: as log_sum_exp_rows.
 *   confidence[i]: the max probability, 1 / sum_c exp(x_c - max); NaN where softmax is NaN.
 *   nll[i]: log_sum_exp[i] - x[labels[i]] in double (NaN where softmax is NaN).
 *   top_indices / top_values (rows x k, 0 < k <= cols): the k largest entries, largest first,
 *   equal values in index order; values are probabilities (top_probabilities) or the logits.
 *   A row with a NaN gets indices -1 and values NaN.
 * Labels must be in [0, cols). Returns sum_i nll_i (compensated) when labels is given, else 0.
 */
#define SSM_SCORE_ARGS(suffix, real)                                                            \
  typedef struct score_args_##suffix {                                                          \
    const real* logits;             /* rows x cols */                                           \
    size_t rows, cols;                                                                          \
    const int32_t* labels;          /* rows class indices, or NULL */                           \
    int32_t* predictions;           /* rows, or NULL */                                         \
    real* confidence;               /* rows, or NULL */                                         \
    real* log_sum_exp;              /* rows, or NULL */                                         \
    real* nll;                      /* rows, or NULL (needs labels) */                          \
    size_t k;                       /* top-k count, 0 for none */                               \
    int top_probabilities;          /* top values are probabilities (else logits) */           \
    int32_t* top_indices;           /* rows x k, or NULL when k is 0 */                         \
    real* top_values;               /* rows x k, or NULL when k is 0 */                         \
  } score_args_##suffix;

SSM_SCORE_ARGS(f32, float)
SSM_SCORE_ARGS(f64, double)
#undef SSM_SCORE_ARGS

/* One ISA's kernels, for one element type. */
#define SSM_KERNEL_TABLE(suffix, real)                                                          \
  typedef struct kernel_table_##suffix {                                                        \
    void (*softmax_rows)(const real* x, real* out, size_t rows, size_t cols, double temperature, \
                         int all_masked);                                                       \
    void (*log_softmax_rows)(const real* x, real* out, size_t rows, size_t cols,                \
                             double temperature, int all_masked);                               \
    void (*log_sum_exp_rows)(const real* x, real* out, size_t rows, size_t cols);               \
    double (*cross_entropy_rows)(const cross_entropy_args_##suffix* args);                      \
    void (*sigmoid)(const real* x, real* out, size_t n);                                        \
    void (*log_sigmoid)(const real* x, real* out, size_t n);                                    \
    double (*bce_with_logits)(const bce_args_##suffix* args);                                   \
    void (*softmax_backward_rows)(const real* y, const real* dy, real* out, size_t rows,        \
                                  size_t cols);                                                 \
    void (*log_softmax_backward_rows)(const real* y, const real* dy, real* out, size_t rows,    \
                                      size_t cols);                                             \
    int64_t (*information_rows)(const information_args_##suffix* args);                         \
    double (*regression)(const regression_args_##suffix* args);                                 \
    double (*score_rows)(const score_args_##suffix* args);                                      \
  } kernel_table_##suffix;

SSM_KERNEL_TABLE(f32, float)
SSM_KERNEL_TABLE(f64, double)
#undef SSM_KERNEL_TABLE

typedef struct kernel_table {
  const char* isa; /* "avx512" | "avx2" | "neon" | "scalar" */
  kernel_table_f32 f32;
  kernel_table_f64 f64;
} kernel_table;

/*
 * The table the dispatcher chose, once, on first use: the best ISA the CPU and the OS support,
 * capped by the environment variable SOFTMAX_SIMD_ISA (scalar | avx2 | avx512 | neon) when set.
 */
const kernel_table* ssm_kernels(void);

/* The table of a named ISA, or NULL when this build or this CPU lacks it. */
const kernel_table* ssm_kernels_for(const char* isa);

/* The ISAs this build and CPU support, best last, space separated: "scalar avx2 avx512". */
const char* ssm_supported_isas(void);

/* The ISAs this build has for its architecture, whatever the CPU, best last, space separated. */
const char* ssm_built_isas(void);

/* Each ISA's table (the SIMD ones exist only where they are built; call only if supported). */
const kernel_table* ssm_table_serial(void);
const kernel_table* ssm_table_avx2(void);
const kernel_table* ssm_table_avx512(void);
const kernel_table* ssm_table_neon(void);

/* Serial reference kernels: portable scalar code, accumulating in double. */
void softmax_rows_f32_serial(const float* x, float* out, size_t rows, size_t cols,
                             double temperature, int all_masked);
void softmax_rows_f64_serial(const double* x, double* out, size_t rows, size_t cols,
                             double temperature, int all_masked);
void log_softmax_rows_f32_serial(const float* x, float* out, size_t rows, size_t cols,
                                 double temperature, int all_masked);
void log_softmax_rows_f64_serial(const double* x, double* out, size_t rows, size_t cols,
                                 double temperature, int all_masked);
void log_sum_exp_rows_f32_serial(const float* x, float* out, size_t rows, size_t cols);
void log_sum_exp_rows_f64_serial(const double* x, double* out, size_t rows, size_t cols);
double cross_entropy_rows_f32_serial(const cross_entropy_args_f32* args);
double cross_entropy_rows_f64_serial(const cross_entropy_args_f64* args);
void sigmoid_f32_serial(const float* x, float* out, size_t n);
void sigmoid_f64_serial(const double* x, double* out, size_t n);
void log_sigmoid_f32_serial(const float* x, float* out, size_t n);
void log_sigmoid_f64_serial(const double* x, double* out, size_t n);
double bce_with_logits_f32_serial(const bce_args_f32* args);
double bce_with_logits_f64_serial(const bce_args_f64* args);
void softmax_backward_rows_f32_serial(const float* y, const float* dy, float* out, size_t rows, size_t cols);
void softmax_backward_rows_f64_serial(const double* y, const double* dy, double* out, size_t rows, size_t cols);
void log_softmax_backward_rows_f32_serial(const float* y, const float* dy, float* out, size_t rows, size_t cols);
void log_softmax_backward_rows_f64_serial(const double* y, const double* dy, double* out, size_t rows,
                                          size_t cols);
int64_t information_rows_f32_serial(const information_args_f32* args);
int64_t information_rows_f64_serial(const information_args_f64* args);
double regression_f32_serial(const regression_args_f32* args);
double regression_f64_serial(const regression_args_f64* args);
double score_rows_f32_serial(const score_args_f32* args);
double score_rows_f64_serial(const score_args_f64* args);

#ifdef __cplusplus
}
#endif

#endif /* SOFTMAX_SIMD_KERNELS_H */
