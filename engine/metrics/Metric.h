#pragma once
/// Base of every cumulative metric (MONAI's CumulativeIterationMetric):
/// each call computes per-case values for one batch, keeps them (with the
/// case ids) in a buffer, and aggregate() reduces everything kept so far with
/// MONAI's reduction and NaN conventions. The buffer is the per-case table
/// the GUI shows and the CLI writes as CSV (MetricTable).
///
/// Threads: a Metric is not thread-safe; use one per thread (or lock).

#include <ATen/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/core/Params.h"

namespace medulla {

/// Per-call arguments that MONAI passes at call time.
struct MetricCall {
    /// Voxel spacing for distance metrics, physical units (mm). Empty = 1 on
    /// every axis; one list = every sample; B lists = one per sample. Each
    /// list has one value (all axes) or one per spatial axis.
    std::vector<std::vector<double>> spacing;
    /// One id per sample of the batch (file name, case id); empty = "case N"
    /// numbered from the first call.
    std::vector<std::string> caseIds;
};

/// One aggregated result: `value` reduced as the metric's reduction says,
/// `notNans` the count of valid (non-NaN) entries behind it (MONAI's
/// get_not_nans), same shape as value.
struct MetricValue {
    std::string name;
    at::Tensor value;
    at::Tensor notNans;
};

/// Per-case results: rows = cases (in call order), one column per
/// (quantity, class). Values are float64; NaN where undefined.
struct MetricTable {
    std::vector<std::string> caseIds;
    std::vector<std::string> columns;      ///< e.g. "Dice[1]", "HD95[2]"
    std::vector<std::vector<double>> rows; ///< rows[i][j] for caseIds[i], columns[j]

    /// Cases side by side: the same rows (by position), columns appended.
    /// Throws std::invalid_argument when the case ids differ.
    void append(const MetricTable& other);
    /// RFC 4180 CSV: header "case,<columns>", one line per case, NaN as
    /// "nan", inf as "inf", numbers with 17 significant digits.
    std::string toCsv() const;
    /// Writes toCsv() atomically (temp file + rename); throws IoError naming
    /// the file.
    void writeCsv(const std::string& path) const;
};

/// A CSV field (RFC 4180): quoted when it holds a comma, quote or newline.
std::string csvField(const std::string& text);
/// A CSV number: 17 significant digits, "nan", "inf" or "-inf".
std::string csvNumber(double value);

class Metric {
public:
    virtual ~Metric() = default;

    /// Per-batch values for y_pred, y (shapes as the metric documents;
    /// segmentation metrics take binarised one-hot (B, C, *spatial)). Returns
    /// MONAI's per-batch tensor (usually (B, C')) and appends it to the
    /// buffer.
    at::Tensor operator()(const at::Tensor& yPred, const at::Tensor& y,
                          const MetricCall& call = {});
    /// The same without touching the buffer.
    virtual at::Tensor compute(const at::Tensor& yPred, const at::Tensor& y,
                               const MetricCall& call) const = 0;

    /// MONAI's aggregate() of everything kept; default: one MetricValue named
    /// name(), doMetricReduction(buffer(), reduction()). Throws
    /// std::logic_error when nothing was kept.
    virtual std::vector<MetricValue> aggregate() const;
    /// Per-case table of the buffer; default: one column per class,
    /// "<shortName>[k]" with k the class index in the input (background = 0).
    virtual MetricTable table() const;

    /// Everything kept, concatenated along dim 0 (undefined when empty).
    at::Tensor buffer() const;
    const std::vector<std::string>& caseIds() const { return caseIds_; }
    /// Replaces the buffer with `values` (N, ...), one row per case of
    /// `caseIds` (a distributed evaluation puts every rank's rows here
    /// before aggregate()). Throws std::invalid_argument when the counts
    /// differ.
    void restore(const at::Tensor& values, std::vector<std::string> caseIds);
    void reset();

    virtual std::string name() const = 0;
    /// Column prefix in tables ("Dice", "HD95", ...); default name().
    virtual std::string shortName() const { return name(); }
    virtual std::string reduction() const { return "mean"; }
    /// Index of the first class kept in the per-class columns (1 when the
    /// background channel is dropped).
    virtual int64_t firstClass() const { return 0; }
    virtual Json toJson() const = 0;

protected:
    /// Hook for metrics whose buffer is not one tensor per call (ROC AUC);
    /// default appends `values`.
    virtual void keep(const at::Tensor& values, int64_t batch, const MetricCall& call);
    /// The table of per-case `values` (rows = caseIds(), (N, ...) flattened
    /// per row) with columns "<prefix>[k]", k counted from firstClass().
    MetricTable perCaseTable(const at::Tensor& values, const std::string& prefix) const;
    std::vector<at::Tensor> buffer_;
    std::vector<std::string> caseIds_;
};

using MetricPtr = std::shared_ptr<Metric>;

/// Built-in metrics (DiceMetric, HausdorffDistanceMetric, ...), filled on
/// first use.
Registry<Metric>& metricRegistry();

/// MONAI's do_metric_reduction on f (B, C, ...): NaN entries are ignored,
/// inf counts as valid. reduction: "none", "mean", "sum", "mean_batch",
/// "sum_batch", "mean_channel", "sum_channel". Returns {value, not_nans}
/// (float32 like MONAI). Throws ConfigError for an unknown reduction.
std::pair<at::Tensor, at::Tensor> doMetricReduction(const at::Tensor& f,
                                                    const std::string& reduction);

/// The reduction names above, for ParamSpec choices.
const std::vector<std::string>& metricReductions();

} // namespace medulla
