#include "engine/metrics/DiceMetric.h"

#include <torch/torch.h>

#include <limits>

#include "engine/core/Error.h"

namespace medulla {

at::Tensor DiceMetric::compute(const at::Tensor& yPredIn, const at::Tensor& yIn,
                               DiceMetricOptions o) {
    if (yPredIn.sizes() != yIn.sizes())
        throw ShapeError("DiceMetric: y_pred " + c10::str(yPredIn.sizes()) + " and y " +
                         c10::str(yIn.sizes()) + " differ");
    if (yPredIn.dim() < 3)
        throw ShapeError("DiceMetric needs (B, C, *spatial) tensors");
    at::Tensor yPred = yPredIn.to(torch::kFloat);
    at::Tensor y = yIn.to(torch::kFloat);
    if (!o.include_background && y.size(1) > 1) {
        yPred = yPred.slice(1, 1);
        y = y.slice(1, 1);
    }
    std::vector<int64_t> axes;
    for (int64_t d = 2; d < y.dim(); ++d)
        axes.push_back(d);
    at::Tensor inter = (yPred * y).sum(axes);
    at::Tensor ySum = y.sum(axes);
    at::Tensor denom = ySum + yPred.sum(axes);
    at::Tensor dice = 2.0 * inter / denom;
    if (o.ignore_empty)
        return torch::where(ySum > 0, dice,
                            torch::full_like(dice, std::numeric_limits<float>::quiet_NaN()));
    // empty ground truth: 1 if the prediction is empty too, else 0
    return torch::where(ySum > 0, dice, (denom <= 0).to(dice.scalar_type()));
}

at::Tensor DiceMetric::operator()(const at::Tensor& yPred, const at::Tensor& y) {
    at::Tensor d = compute(yPred, y, options_);
    buffer_.push_back(d.detach().cpu());
    return d;
}

double DiceMetric::aggregate() const {
    // MONAI's "mean": average the valid classes of each sample, then the
    // samples that have at least one valid class; 0 when nothing is valid.
    if (buffer_.empty())
        return 0.0;
    at::Tensor all = torch::cat(buffer_, 0).to(torch::kDouble);
    at::Tensor valid = ~torch::isnan(all);
    at::Tensor perSampleCount = valid.sum(1);
    at::Tensor perSample = torch::where(valid, all, torch::zeros_like(all)).sum(1) /
                           perSampleCount.clamp_min(1).to(torch::kDouble);
    at::Tensor ok = perSampleCount > 0;
    if (ok.sum().item<int64_t>() == 0)
        return 0.0;
    return perSample.masked_select(ok).mean().item<double>();
}

} // namespace medulla
