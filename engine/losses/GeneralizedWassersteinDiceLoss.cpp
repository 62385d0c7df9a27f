#include "engine/losses/GeneralizedWassersteinDiceLoss.h"

#include <ATen/ATen.h>

#include "engine/losses/DiceTerms.h"

namespace medulla {

GeneralizedWassersteinDiceLoss::GeneralizedWassersteinDiceLoss(
    GeneralizedWassersteinDiceLossOptions o, std::string context)
    : options_(std::move(o)) {
    const std::string field = context + ".dist_matrix";
    const auto& rows = options_.dist_matrix();
    classes_ = int64_t(rows.size());
    if (classes_ == 0)
        throw ConfigError("must be a C x C matrix of class distances; got none", {}, field);
    double maxDist = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
        if (int64_t(rows[i].size()) != classes_)
            throw ConfigError("must be C x C; row " + std::to_string(i) + " has " +
                                  std::to_string(rows[i].size()) + " entries for " +
                                  std::to_string(classes_) + " rows",
                              {}, field);
        lossterms::checkNonNegative(rows[i], field + "[" + std::to_string(i) + "]");
        for (double d : rows[i])
            maxDist = std::max(maxDist, d);
    }
    if (!(maxDist > 0))
        throw ConfigError("needs a positive distance (all entries are 0)", {}, field);
    for (const auto& row : rows)
        for (double d : row)
            m_.push_back(maxDist == 1.0 ? d : d / maxDist);
    const auto& mode = options_.weighting_mode();
    if (mode != "default" && mode != "GDL")
        throw ConfigError("\"" + mode + "\" is not one of: default, GDL", {},
                          context + ".weighting_mode");
    lossterms::checkReduction(options_.reduction(), context + ".reduction");
}

at::Tensor GeneralizedWassersteinDiceLoss::operator()(const at::Tensor& input,
                                                      const at::Tensor& target) const {
    const std::string label = "GeneralizedWassersteinDiceLoss";
    lossterms::checkRank(input, 3, label);
    const int64_t b = input.size(0), c = input.size(1);
    if (c != classes_)
        throw ShapeError(label + ": input " + c10::str(input.sizes()) + " has " +
                         std::to_string(c) + " channels but dist_matrix is " +
                         std::to_string(classes_) + " x " + std::to_string(classes_));
    const auto spatial = input.sizes().slice(2);
    std::vector<int64_t> withChannel = {b, 1};
    withChannel.insert(withChannel.end(), spatial.begin(), spatial.end());
    std::vector<int64_t> plain = withChannel;
    plain.erase(plain.begin() + 1);
    if (target.sizes() != at::IntArrayRef(plain) && target.sizes() != at::IntArrayRef(withChannel))
        throw ShapeError(label + ": target " + c10::str(target.sizes()) +
                         " must be a (B, *spatial) or (B, 1, *spatial) label map for input " +
                         c10::str(input.sizes()));
    const at::Tensor t = target.reshape({b, -1}).to(at::kLong);
    lossterms::checkLabels(t, c, label);
    const at::Tensor probs = at::softmax(input.reshape({b, c, -1}), 1);
    const auto dtype = input.scalar_type();
    const at::Tensor m = at::tensor(m_, at::TensorOptions().dtype(at::kDouble))
                             .to(input.device(), dtype)
                             .view({c, c});
    // wass[b, v] = sum_c M[t[b, v], c] p[b, c, v]
    const at::Tensor rows = m.index_select(0, t.reshape({-1})).view({b, -1, c});
    const at::Tensor wass = (rows * probs.transpose(1, 2)).sum(2);
    const bool gdl = options_.weighting_mode() == "GDL";
    at::Tensor alpha;
    if (gdl) {
        const at::Tensor volumes = at::zeros({b, c}, probs.options())
                                       .scatter_add(1, t, at::ones(t.sizes(), probs.options()));
        alpha = 1.0 / (volumes + 1.0);
    } else {
        alpha = at::cat({at::zeros({1}, probs.options()), at::ones({c - 1}, probs.options())})
                    .expand({b, c})
                    .contiguous();
    }
    const at::Tensor alphaT = alpha.gather(1, t);
    // MONAI 1.3.2 multiplies alpha_t shaped (B, 1, N) by a (B, N) map, which
    // broadcasts to (B, B, N): sample b's sums run over the maps of every
    // sample of the batch. Reproduced (identical to the paper for B = 1).
    const at::Tensor truePos = (alphaT * (1.0 - wass).sum(0, true)).sum(1);
    const at::Tensor denom =
        gdl ? (alphaT * (2.0 - wass).sum(0, true)).sum(1) : 2.0 * truePos + wass.sum(1);
    const at::Tensor loss =
        1.0 - (2.0 * truePos + options_.smooth_nr()) / (denom + options_.smooth_dr());
    return lossterms::reduce(loss, options_.reduction());
}

ComponentInfo GeneralizedWassersteinDiceLoss::info() {
    using namespace lossterms;
    return {"GeneralizedWassersteinDiceLoss", "loss",
            "MONAI's generalised Wasserstein Dice loss (class distances; softmax inside).",
            join({{{"dist_matrix",
                    ParamType::Object,
                    Json(),
                    0,
                    0,
                    {},
                    "C x C class distances (nested lists), >= 0; required"},
                   {"weighting_mode",
                    ParamType::String,
                    "default",
                    0,
                    0,
                    {"default", "GDL"},
                    "default: alpha 0 for class 0, 1 otherwise; GDL: 1 / (volume + 1)"},
                   {"reduction",
                    ParamType::String,
                    "mean",
                    0,
                    0,
                    {"mean", "sum", "none"},
                    "mean, sum or none (per-sample values (B,); MONAI 1.3.2 raises)"}},
                  smoothParams()})};
}

std::shared_ptr<Loss> GeneralizedWassersteinDiceLoss::fromJson(const Json& config,
                                                               const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    const Json& dm = r.raw("dist_matrix");
    std::vector<std::vector<double>> rows;
    const std::string field = r.field("dist_matrix");
    if (!dm.is_array())
        throw ConfigError("must be a C x C matrix (a list of lists of numbers)", {}, field);
    for (size_t i = 0; i < dm.size(); ++i) {
        if (!dm[i].is_array())
            throw ConfigError("row " + std::to_string(i) + " is not a list of numbers", {}, field);
        std::vector<double> row;
        for (const auto& v : dm[i]) {
            if (!v.is_number())
                throw ConfigError("row " + std::to_string(i) + " holds " + v.dump(), {}, field);
            row.push_back(v.get<double>());
        }
        rows.push_back(std::move(row));
    }
    return std::make_shared<GeneralizedWassersteinDiceLoss>(
        GeneralizedWassersteinDiceLossOptions()
            .dist_matrix(rows)
            .weighting_mode(r.string("weighting_mode"))
            .reduction(r.string("reduction"))
            .smooth_nr(r.number("smooth_nr"))
            .smooth_dr(r.number("smooth_dr")),
        context);
}

Json GeneralizedWassersteinDiceLoss::toJson() const {
    const auto& o = options_;
    return {{"name", "GeneralizedWassersteinDiceLoss"},
            {"dist_matrix", o.dist_matrix()},
            {"weighting_mode", o.weighting_mode()},
            {"reduction", o.reduction()},
            {"smooth_nr", o.smooth_nr()},
            {"smooth_dr", o.smooth_dr()}};
}

} // namespace medulla
