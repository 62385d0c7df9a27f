#pragma once
/// SlidingWindowInferer: MONAI 1.3's sliding_window_inference. The inputs
/// are padded where the window is larger than the image, cut into
/// overlapping windows (MONAI's placement, WindowGrid.h), the windows are
/// run through the predictor `sw_batch_size` at a time, each prediction is
/// weighted by the importance map (constant or Gaussian) and added into the
/// stitched output, which is finally divided by the summed importance map
/// and cropped back to the input size. Checked against MONAI by the
/// "inference" parity group (medulla-parity).

#include <torch/arg.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/Progress.h"
#include "engine/inference/Inferer.h"

namespace medulla {

struct SlidingWindowInfererOptions {
    /// Window size per spatial axis, or one value for every axis. A
    /// non-positive entry (-1; None in JSON) takes that axis' image size; a
    /// window larger than the image pads the image (see padding_mode).
    TORCH_ARG(std::vector<int64_t>, roi_size) = {};
    /// Windows per predictor call (windows of several images of the batch
    /// may share a call, as in MONAI). >= 1.
    TORCH_ARG(int64_t, sw_batch_size) = 1;
    /// Overlap of neighbouring windows, one value or one per axis, in [0, 1).
    TORCH_ARG(std::vector<double>, overlap) = {0.25};
    /// Blending: "constant" (equal weights) or "gaussian".
    TORCH_ARG(std::string, mode) = "constant";
    /// Gaussian sigma = sigma_scale * roi_size, one value or one per axis.
    TORCH_ARG(std::vector<double>, sigma_scale) = {0.125};
    /// How the image is padded when the window is larger: "constant",
    /// "reflect", "replicate" or "circular" (torch's pad modes).
    TORCH_ARG(std::string, padding_mode) = "constant";
    /// Fill value of "constant" padding (ignored by the other modes).
    TORCH_ARG(double, cval) = 0.0;
    /// Where the windows run (the predictor's device); none = the inputs'.
    TORCH_ARG(std::optional<c10::Device>, sw_device) = std::nullopt;
    /// Where the stitched output accumulates and is returned; none = the
    /// inputs'. device=CPU with sw_device=CUDA keeps a large volume's output
    /// in host memory while the windows run on the GPU.
    TORCH_ARG(std::optional<c10::Device>, device) = std::nullopt;
    /// MONAI's tqdm switch; accepted for MONAI configs. Progress always goes
    /// to the ProgressSink given to infer(), nothing is printed.
    TORCH_ARG(bool, progress) = false;
    /// MONAI's cache_roi_weight_map; accepted for MONAI configs. The
    /// importance map is always cached per roi size, mode, dtype and device.
    TORCH_ARG(bool, cache_roi_weight_map) = false;
    /// When > 0 and `device` is none: stitch on the CPU if the inputs have
    /// more than this many voxels per image (MONAI's cpu_thresh).
    TORCH_ARG(int64_t, cpu_thresh) = 0;
    /// A precomputed non-negative weight map of shape roi_size (or
    /// [1, 1, *roi_size]) used instead of the computed importance map
    /// (MONAI's roi_weight_map); undefined = compute. Not in JSON.
    TORCH_ARG(at::Tensor, roi_weight_map) = {};
};

class SlidingWindowInferer : public Inferer {
public:
    /// Validates the options (ConfigError naming "<context>.<field>":
    /// empty roi_size, sw_batch_size < 1, overlap outside [0, 1), unknown
    /// mode or padding_mode, sigma_scale <= 0, a CUDA device without CUDA).
    explicit SlidingWindowInferer(SlidingWindowInfererOptions options,
                                  std::string context = "SlidingWindowInferer");

    static ComponentInfo info();
    /// From {"name": "SlidingWindowInferer", "roi_size": [96, 96, 96], ...};
    /// errors name `context` ("inferer.overlap").
    static std::shared_ptr<Inferer> fromJson(const Json& config, const std::string& context);

    std::string name() const override { return "SlidingWindowInferer"; }
    Json toJson() const override;
    const SlidingWindowInfererOptions& options() const { return options_; }

    /// infer(inputs, predictor, cancel, nullptr).
    at::Tensor operator()(const at::Tensor& inputs, const Predictor& predictor,
                          const CancelToken* cancel = nullptr) const override;

    /// inputs: (B, C, *spatial) with 1 to 3 spatial axes, any device. The
    /// predictor gets (n <= sw_batch_size, C, *roi_size) windows on
    /// sw_device (the inputs' dtype) and must return (n, C', *S') with the
    /// same C' and S' for every call; S' != roi_size is MONAI's zoomed
    /// output (scale S'/roi_size per axis, the output then has
    /// int(image * scale) voxels; each scaled window must land on whole
    /// voxels, else ShapeError). Returns (B, C', *spatial') on `device` in
    /// the inputs' dtype (float32 for integer inputs).
    /// Cancellation: `cancel` is polled before each predictor call; when set
    /// it throws CancelledError and the partial output is discarded.
    /// Progress: after each call, progress(windows done / windows total,
    /// "window k/N"). Thread-safe (the only shared state is the
    /// importance-map cache, guarded by a mutex); the predictor runs on the
    /// calling thread. Errors: ShapeError naming roi_size (length), inputs
    /// (rank) or the predictor's output shapes; ShapeError naming
    /// padding_mode when torch cannot pad that way (reflect needs the pad to
    /// be smaller than the image).
    at::Tensor infer(const at::Tensor& inputs, const Predictor& predictor,
                     const CancelToken* cancel = nullptr, ProgressSink* progress = nullptr) const;

private:
    /// The importance map for this window/prediction shape as (1, 1, *shape)
    /// on `device`, computed once per (roi, shape, dtype, device).
    at::Tensor weights(const std::vector<int64_t>& roi, const std::vector<int64_t>& shape,
                       at::ScalarType dtype, c10::Device device) const;

    SlidingWindowInfererOptions options_;
    std::string context_;
    mutable std::mutex cacheMutex_;
    mutable std::map<std::string, at::Tensor> cache_;
};

} // namespace medulla
