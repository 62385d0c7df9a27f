#pragma once
/// Scores segmentations case by case with several metrics at once: the
/// per-case table of the Results view and of `medulla score` (one row per
/// case, one column per metric and class, written as CSV).
///
/// Scores (keys of CaseScorerOptions::scores):
///   dice  DiceMetric                      iou   MeanIoU
///   hd    HausdorffDistanceMetric         hd95  HausdorffDistanceMetric(percentile 95)
///   asd   SurfaceDistanceMetric(symmetric) nsd  SurfaceDiceMetric(nsd_tolerance mm)
/// Distances are in the units of the spacing given per case (mm).

#include <ATen/Tensor.h>

#include <string>
#include <utility>
#include <vector>

#include "engine/metrics/Metric.h"

namespace medulla {

struct CaseScorerOptions {
    std::vector<std::string> scores = {"dice", "hd95", "asd"};
    /// Number of labels including background (label values 0..num_classes-1).
    int64_t num_classes = 2;
    bool include_background = false;
    /// Tolerance of the normalised surface Dice, in spacing units (mm).
    double nsd_tolerance = 1.0;
};

class CaseScorer {
public:
    /// Throws ConfigError naming "scores" for an unknown key, "num_classes"
    /// when < 2.
    explicit CaseScorer(CaseScorerOptions options);

    /// pred, label: integer label maps (*spatial) of one case, same shape;
    /// spacing: one value per spatial axis. Throws ShapeError naming the
    /// case for mismatched shapes, ConfigError for a label outside
    /// [0, num_classes).
    void add(const std::string& caseId, const at::Tensor& pred, const at::Tensor& label,
             const std::vector<double>& spacing);

    /// Every case so far: columns "<Score>[k]" for each score and class k.
    MetricTable table() const;
    /// MONAI's "mean" aggregate of each score ("Dice", "HD95", ...) over
    /// the cases, NaN entries ignored.
    std::vector<std::pair<std::string, double>> summary() const;
    int64_t cases() const { return cases_; }

    static const std::vector<std::string>& knownScores();
    /// The metricRegistry() configuration of score `key` (a knownScores()
    /// entry) under `options` (include_background, nsd_tolerance per
    /// foreground class).
    static Json metricConfig(const std::string& key, const CaseScorerOptions& options);

private:
    CaseScorerOptions options_;
    std::vector<MetricPtr> metrics_;
    int64_t cases_ = 0;
};

} // namespace medulla
