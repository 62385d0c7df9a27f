#include "engine/inference/SlidingWindowInferer.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <torch/cuda.h>
#include <torch/nn/functional/padding.h>

#include <algorithm>
#include <cmath>

#include "engine/inference/WindowGrid.h"

namespace medulla {

namespace F = torch::nn::functional;

namespace {

std::string shapeText(at::IntArrayRef sizes) {
    std::string s;
    for (size_t i = 0; i < sizes.size(); ++i)
        s += (i ? "x" : "") + std::to_string(sizes[i]);
    return s;
}

F::PadFuncOptions::mode_t padMode(const std::string& mode) {
    if (mode == "reflect")
        return torch::kReflect;
    if (mode == "replicate")
        return torch::kReplicate;
    if (mode == "circular")
        return torch::kCircular;
    return torch::kConstant;
}

/// The spatial sub-block [start, start + size) of `t` (dims 2.. of a batch).
at::Tensor block(at::Tensor t, const std::vector<int64_t>& start,
                 const std::vector<int64_t>& size) {
    for (size_t d = 0; d < start.size(); ++d)
        t = t.narrow(int64_t(d) + 2, start[d], size[d]);
    return t;
}

} // namespace

SlidingWindowInferer::SlidingWindowInferer(SlidingWindowInfererOptions options, std::string context)
    : options_(std::move(options)), context_(std::move(context)) {
    const auto& o = options_;
    const std::string f = context_ + ".";
    if (o.roi_size().empty())
        throw ConfigError("needs one window size or one per spatial axis", {}, f + "roi_size");
    if (o.sw_batch_size() < 1)
        throw ConfigError("must be >= 1, got " + std::to_string(o.sw_batch_size()), {},
                          f + "sw_batch_size");
    if (o.overlap().empty())
        throw ConfigError("needs one value or one per spatial axis", {}, f + "overlap");
    for (double v : o.overlap())
        if (!(v >= 0 && v < 1))
            throw ConfigError("must be >= 0 and < 1, got " + std::to_string(v), {}, f + "overlap");
    if (o.mode() != "constant" && o.mode() != "gaussian")
        throw ConfigError("\"" + o.mode() + "\" is not one of: constant, gaussian", {}, f + "mode");
    if (o.sigma_scale().empty())
        throw ConfigError("needs one value or one per spatial axis", {}, f + "sigma_scale");
    for (double v : o.sigma_scale())
        if (!(v > 0))
            throw ConfigError("must be > 0, got " + std::to_string(v), {}, f + "sigma_scale");
    const std::vector<std::string> pads = {"constant", "reflect", "replicate", "circular"};
    if (std::find(pads.begin(), pads.end(), o.padding_mode()) == pads.end())
        throw ConfigError("\"" + o.padding_mode() +
                              "\" is not one of: constant, reflect, replicate, circular",
                          {}, f + "padding_mode");
    for (const auto& [dev, name] : {std::pair{o.sw_device(), "sw_device"}, {o.device(), "device"}})
        if (dev && dev->is_cuda() && !torch::cuda::is_available())
            throw ConfigError("CUDA is not available in this build or on this machine", {},
                              f + name);
    if (o.cpu_thresh() < 0)
        throw ConfigError("must be >= 0 (0 = none)", {}, f + "cpu_thresh");
}

ComponentInfo SlidingWindowInferer::info() {
    const std::vector<std::string> pads = {"constant", "reflect", "replicate", "circular"};
    return {"SlidingWindowInferer",
            "inferer",
            "Run the network on overlapping windows and blend them (MONAI's "
            "sliding_window_inference).",
            {{"roi_size",
              ParamType::IntList,
              Json(),
              -1,
              1e6,
              {},
              "window size per spatial axis (one value = every axis; -1 or null = image size)"},
             {"sw_batch_size", ParamType::Int, 1, 1, 1e6, {}, "windows per network call"},
             {"overlap",
              ParamType::FloatList,
              Json{0.25},
              0,
              1,
              {},
              "overlap of neighbouring windows in [0, 1), one value or one per axis"},
             {"mode",
              ParamType::String,
              "constant",
              0,
              0,
              {"constant", "gaussian"},
              "blending weights of a window"},
             {"sigma_scale",
              ParamType::FloatList,
              Json{0.125},
              0,
              1e6,
              {},
              "Gaussian sigma / roi_size, one value or one per axis"},
             {"padding_mode", ParamType::String, "constant", 0, 0, pads,
              "padding of images smaller than the window"},
             {"cval", ParamType::Float, 0.0, -1e30, 1e30, {}, "fill value of constant padding"},
             {"sw_device",
              ParamType::String,
              "",
              0,
              0,
              {},
              "device of the windows (\"cpu\", \"cuda:0\"; \"\" or null = the inputs')"},
             {"device",
              ParamType::String,
              "",
              0,
              0,
              {},
              "device of the stitched output (\"\" or null = the inputs')"},
             {"progress",
              ParamType::Bool,
              false,
              0,
              1,
              {},
              "MONAI's progress bar switch (progress always goes to the GUI/CLI sink)"},
             {"cache_roi_weight_map",
              ParamType::Bool,
              false,
              0,
              1,
              {},
              "accepted for MONAI configs (the map is always cached)"},
             {"cpu_thresh",
              ParamType::Int,
              0,
              0,
              1e15,
              {},
              "stitch on the CPU above this many voxels (0 or null = never)"}}};
}

std::shared_ptr<Inferer> SlidingWindowInferer::fromJson(const Json& config,
                                                        const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    auto isNull = [&](const char* key) { return r.has(key) && r.raw(key).is_null(); };
    // roi_size: a number or a list whose entries may be null (MONAI's None).
    std::vector<int64_t> roi;
    const Json& rawRoi = r.raw("roi_size");
    if (rawRoi.is_array()) {
        for (size_t k = 0; k < rawRoi.size(); ++k) {
            const Json& v = rawRoi[k];
            const std::string f = r.field("roi_size") + "[" + std::to_string(k) + "]";
            if (v.is_null())
                roi.push_back(-1);
            else if (v.is_number_integer())
                roi.push_back(v.get<int64_t>());
            else
                throw ConfigError("expected an integer or null, got " + v.dump(), {}, f);
        }
    } else {
        roi = r.intList("roi_size");
    }
    auto device = [&](const char* key) -> std::optional<c10::Device> {
        if (isNull(key) || r.string(key).empty())
            return std::nullopt;
        try {
            return c10::Device(r.string(key));
        } catch (const c10::Error&) {
            throw ConfigError("\"" + r.string(key) +
                                  "\" is not a device (\"cpu\", \"cuda\", "
                                  "\"cuda:1\")",
                              {}, r.field(key));
        }
    };
    return std::make_shared<SlidingWindowInferer>(
        SlidingWindowInfererOptions()
            .roi_size(roi)
            .sw_batch_size(r.integer("sw_batch_size"))
            .overlap(r.numberList("overlap"))
            .mode(r.string("mode"))
            .sigma_scale(r.numberList("sigma_scale"))
            .padding_mode(r.string("padding_mode"))
            .cval(r.number("cval"))
            .sw_device(device("sw_device"))
            .device(device("device"))
            .progress(r.boolean("progress"))
            .cache_roi_weight_map(r.boolean("cache_roi_weight_map"))
            .cpu_thresh(isNull("cpu_thresh") ? 0 : r.integer("cpu_thresh")),
        context);
}

Json SlidingWindowInferer::toJson() const {
    const auto& o = options_;
    auto device = [](const std::optional<c10::Device>& d) { return d ? Json(d->str()) : Json(); };
    return {{"name", name()},
            {"roi_size", o.roi_size()},
            {"sw_batch_size", o.sw_batch_size()},
            {"overlap", o.overlap()},
            {"mode", o.mode()},
            {"sigma_scale", o.sigma_scale()},
            {"padding_mode", o.padding_mode()},
            {"cval", o.cval()},
            {"sw_device", device(o.sw_device())},
            {"device", device(o.device())},
            {"progress", o.progress()},
            {"cache_roi_weight_map", o.cache_roi_weight_map()},
            {"cpu_thresh", o.cpu_thresh()}};
}

at::Tensor SlidingWindowInferer::operator()(const at::Tensor& inputs, const Predictor& predictor,
                                            const CancelToken* cancel) const {
    return infer(inputs, predictor, cancel, nullptr);
}

at::Tensor SlidingWindowInferer::weights(const std::vector<int64_t>& roi,
                                         const std::vector<int64_t>& shape, at::ScalarType dtype,
                                         c10::Device device) const {
    std::string key = device.str() + "|" + std::to_string(int(dtype));
    for (int64_t v : roi)
        key += "|" + std::to_string(v);
    for (int64_t v : shape)
        key += "/" + std::to_string(v);
    std::lock_guard<std::mutex> lock(cacheMutex_);
    auto it = cache_.find(key);
    if (it != cache_.end())
        return it->second;
    // A normal tensor even when the first call runs under InferenceMode, so
    // that a later call that records gradients can still use the cache.
    c10::InferenceMode normalTensors(false);
    at::Tensor w;
    const at::Tensor& user = options_.roi_weight_map();
    if (user.defined()) {
        const auto sizes = user.sizes();
        const bool plain = sizes.vec() == roi;
        const bool batched = sizes.size() == roi.size() + 2 && sizes[0] == 1 && sizes[1] == 1 &&
                             sizes.slice(2).vec() == roi;
        if (!plain && !batched)
            throw ShapeError("has shape " + shapeText(sizes) + ", expected roi_size " +
                                 shapeText(roi),
                             {}, context_ + ".roi_weight_map");
        w = user.detach().to(device, dtype);
    } else {
        w = importanceMap(roi, options_.mode(), options_.sigma_scale(), dtype, device, context_);
    }
    std::vector<int64_t> full = {1, 1};
    full.insert(full.end(), roi.begin(), roi.end());
    w = w.reshape(full);
    if (shape != roi) // MONAI's zoomed prediction: nearest-exact resize of the map
        w = shape.size() == 3   ? at::_upsample_nearest_exact3d(w, shape)
            : shape.size() == 2 ? at::_upsample_nearest_exact2d(w, shape)
                                : at::_upsample_nearest_exact1d(w, shape);
    if (cache_.size() >= 8)
        cache_.clear();
    cache_[key] = w;
    return w;
}

at::Tensor SlidingWindowInferer::infer(const at::Tensor& inputs, const Predictor& predictor,
                                       const CancelToken* cancel, ProgressSink* progress) const {
    if (!inputs.defined() || inputs.dim() < 3 || inputs.dim() > 5 || inputs.numel() == 0)
        throw ShapeError("expected a non-empty (B, C, *spatial) with 1 to 3 spatial axes, got " +
                             (inputs.defined() ? shapeText(inputs.sizes()) : "nothing"),
                         {}, context_ + ".inputs");
    const auto& o = options_;
    const size_t nd = size_t(inputs.dim() - 2);
    const int64_t batch = inputs.size(0);
    const std::vector<int64_t> image0 = inputs.sizes().slice(2).vec();
    const std::vector<int64_t> roi = resolveRoi(o.roi_size(), image0, context_ + ".roi_size");
    const std::vector<double> overlap = perAxis(o.overlap(), nd, context_ + ".overlap");
    const at::ScalarType dtype =
        at::isFloatingType(inputs.scalar_type()) ? inputs.scalar_type() : at::kFloat;
    const c10::Device swDevice = o.sw_device().value_or(inputs.device());
    c10::Device device = o.device().value_or(inputs.device());
    int64_t voxels = 1;
    for (int64_t s : image0)
        voxels *= s;
    if (!o.device() && o.cpu_thresh() > 0 && voxels > o.cpu_thresh())
        device = c10::Device(c10::kCPU);

    // Pad where the window is larger than the image (torch's pad order:
    // last axis first, low side then high side).
    std::vector<int64_t> image(nd), pad;
    for (size_t d = 0; d < nd; ++d)
        image[d] = std::max(image0[d], roi[d]);
    for (size_t k = nd; k-- > 0;) {
        const int64_t diff = std::max<int64_t>(roi[k] - image0[k], 0);
        pad.push_back(diff / 2);
        pad.push_back(diff - diff / 2);
    }
    at::Tensor x = inputs;
    const bool padded = std::any_of(pad.begin(), pad.end(), [](int64_t p) { return p > 0; });
    if (padded) {
        try {
            auto padOptions = F::PadFuncOptions(pad).mode(padMode(o.padding_mode()));
            if (o.padding_mode() == "constant")
                padOptions.value(o.cval());
            x = F::pad(inputs, padOptions);
        } catch (const c10::Error& e) {
            throw ShapeError("cannot pad " + shapeText(inputs.sizes()) + " to the window " +
                                 shapeText(roi) + " with \"" + o.padding_mode() +
                                 "\": " + e.what_without_backtrace(),
                             {}, context_ + ".padding_mode");
        }
    }

    const auto starts = windowStarts(image, roi, scanInterval(image, roi, overlap));
    const auto numWin = int64_t(starts.size());
    const int64_t total = numWin * batch;
    at::Tensor output, count, w, wOut; // w on sw_device, wOut on device
    std::vector<int64_t> segShape, outShape;
    std::vector<double> zoom(nd, 1.0);
    int64_t channels = 0;
    // The window's block in the output: MONAI scales start and stop with
    // int(v * zoom) (truncation) per axis.
    auto outStart = [&](const std::vector<int64_t>& s) {
        std::vector<int64_t> r(nd);
        for (size_t d = 0; d < nd; ++d)
            r[d] = int64_t(double(s[d]) * zoom[d]);
        return r;
    };

    for (int64_t first = 0; first < total; first += o.sw_batch_size()) {
        if (cancel)
            cancel->throwIfCancelled();
        const int64_t n = std::min(o.sw_batch_size(), total - first);
        at::Tensor data; // n windows copied side by side (a view when n == 1, as in MONAI)
        auto window = [&](int64_t i) {
            return block(x.narrow(0, i / numWin, 1), starts[size_t(i % numWin)], roi);
        };
        if (n == 1) {
            data = window(first).to(swDevice);
        } else {
            std::vector<int64_t> dataShape = {n, x.size(1)};
            dataShape.insert(dataShape.end(), roi.begin(), roi.end());
            data = at::empty(dataShape, x.options().device(swDevice));
            for (int64_t j = 0; j < n; ++j)
                data.narrow(0, j, 1).copy_(window(first + j));
        }
        at::Tensor seg = predictor(data);
        if (!seg.defined() || seg.dim() != int64_t(nd) + 2 || seg.size(0) != n)
            throw ShapeError("the predictor returned " +
                                 (seg.defined() ? shapeText(seg.sizes()) : "nothing") + " for " +
                                 shapeText(data.sizes()) + " windows, expected (" +
                                 std::to_string(n) + ", C, *spatial)",
                             {}, context_ + ".predictor");
        if (!output.defined()) {
            segShape = seg.sizes().slice(2).vec();
            channels = seg.size(1);
            outShape = {batch, channels};
            for (size_t d = 0; d < nd; ++d) {
                if (segShape[d] != roi[d])
                    zoom[d] = double(segShape[d]) / double(roi[d]);
                outShape.push_back(int64_t(double(image[d]) * zoom[d]));
            }
            const auto outOptions = at::TensorOptions().dtype(dtype).device(device);
            output = at::zeros(outShape, outOptions);
            std::vector<int64_t> countShape = {1, 1};
            countShape.insert(countShape.end(), outShape.begin() + 2, outShape.end());
            count = at::zeros(countShape, outOptions);
            w = weights(roi, segShape, dtype, swDevice);
            wOut = w.to(device);
            for (const auto& s : starts) {
                std::vector<int64_t> end = s;
                for (size_t d = 0; d < nd; ++d)
                    end[d] += roi[d];
                const auto lo = outStart(s), hi = outStart(end);
                for (size_t d = 0; d < nd; ++d)
                    if (hi[d] - lo[d] != segShape[d] || hi[d] > outShape[d + 2])
                        throw ShapeError(
                            "the predictor's output " + shapeText(seg.sizes()) +
                                " scales the window " + shapeText(roi) +
                                " so that a window does not land on whole voxels; choose "
                                "roi_size and overlap so that overlap * roi_size * scale is an "
                                "integer",
                            {}, context_ + ".roi_size");
                block(count, lo, segShape).add_(wOut);
            }
        } else if (seg.size(1) != channels || seg.sizes().slice(2).vec() != segShape) {
            throw ShapeError("the predictor returned " + shapeText(seg.sizes()) + " after (n, " +
                                 std::to_string(channels) + ", " + shapeText(segShape) +
                                 ") for earlier windows",
                             {}, context_ + ".predictor");
        }
        const at::Tensor p = seg.to(dtype);
        // Same device: accumulate w * p in place; else weight where the
        // prediction is and move the product (MONAI's order).
        const bool sameDevice = p.device() == device;
        const at::Tensor weighted =
            sameDevice ? at::Tensor()
                       : (p * (p.device() == w.device() ? w : w.to(p.device()))).to(device);
        for (int64_t j = 0; j < n; ++j) {
            const int64_t i = first + j;
            const auto lo = outStart(starts[size_t(i % numWin)]);
            at::Tensor dst = block(output.narrow(0, i / numWin, 1), lo, segShape);
            if (sameDevice)
                dst.addcmul_(p.narrow(0, j, 1), wOut);
            else
                dst.add_(weighted.narrow(0, j, 1));
        }
        if (progress)
            progress->progress(double(first + n) / double(total),
                               "window " + std::to_string(first + n) + "/" + std::to_string(total));
    }
    output.div_(count);

    if (padded) { // crop back to the input size (MONAI's rounding of the scaled pad)
        for (size_t sp = 0; sp < nd; ++sp) {
            const size_t si = nd - sp - 1;
            const int64_t len = output.size(int64_t(si) + 2);
            const double scale = double(len) / double(roi[si]);
            auto clip = [&](double v) {
                return std::clamp<int64_t>(int64_t(std::nearbyint(v)), 0, len);
            };
            const int64_t lo = clip(double(pad[sp * 2]) * scale);
            const int64_t hi = clip(double(pad[sp * 2] + image0[si]) * scale);
            output = output.narrow(int64_t(si) + 2, lo, std::max<int64_t>(hi - lo, 0));
        }
    }
    return output;
}

} // namespace medulla
