#pragma once
/// MONAI's GeneralizedWassersteinDiceLoss (Fidon et al. 2017): a Dice-like
/// loss whose per-voxel error is the Wasserstein distance, under the class
/// distance matrix M, between the softmax of the input and the label:
/// wass(v) = sum_c M[t_v, c] p_c(v). Per sample, with class weights alpha
/// ("default": 0 for class 0, 1 for the others; "GDL": 1 / (volume + 1)):
/// TP = sum_v alpha_t (1 - wass), loss = 1 - (2 TP + smooth_nr) /
/// (denominator + smooth_dr), denominator 2 TP + sum_v wass ("default") or
/// sum_v alpha_t (2 - wass) ("GDL"). As MONAI 1.3.2 (a broadcasting slip
/// there), the (1 - wass) and (2 - wass) maps in TP and the GDL denominator
/// are summed over the batch: TP_b = sum_v alpha_t(b, v) sum_b' (1 - wass_b'(v)).
/// For a batch of one this is the paper's formula.

#include <torch/arg.h>

#include "engine/losses/Loss.h"

namespace medulla {

struct GeneralizedWassersteinDiceLossOptions {
    /// C x C distances between classes, >= 0 with a positive maximum; divided
    /// by its maximum unless that is 1 (as MONAI). Required.
    TORCH_ARG(std::vector<std::vector<double>>, dist_matrix) = {};
    /// "default" (Fidon et al.) or "GDL" (Tilborghs et al.).
    TORCH_ARG(std::string, weighting_mode) = "default";
    /// "mean", "sum" or "none". MONAI 1.3.2 raises for "none" (it views the
    /// per-sample (B,) loss as (B, C, 1, ...)); here "none" returns the
    /// per-sample losses, shape (B,).
    TORCH_ARG(std::string, reduction) = "mean";
    TORCH_ARG(double, smooth_nr) = 1e-5;
    TORCH_ARG(double, smooth_dr) = 1e-5;
};

class GeneralizedWassersteinDiceLoss : public Loss {
public:
    /// ConfigError (under `context`) for a dist_matrix that is not C x C,
    /// has a negative entry or no positive one, an unknown weighting_mode or
    /// reduction.
    explicit GeneralizedWassersteinDiceLoss(GeneralizedWassersteinDiceLossOptions options,
                                            std::string context = "loss");
    static ComponentInfo info();
    static std::shared_ptr<Loss> fromJson(const Json& config, const std::string& context);

    /// input (B, C, *spatial) logits (softmax applied here), C the size of
    /// dist_matrix; target (B, *spatial) or (B, 1, *spatial) label map.
    /// ShapeError on other shapes or (CPU) labels outside [0, C).
    at::Tensor operator()(const at::Tensor& input, const at::Tensor& target) const override;
    int64_t targetRankOffset() const override { return -1; }
    Json toJson() const override;

private:
    GeneralizedWassersteinDiceLossOptions options_;
    std::vector<double> m_; ///< normalised distances, row-major C x C
    int64_t classes_ = 0;
};

} // namespace medulla
