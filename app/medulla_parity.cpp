/// medulla-parity: runs the cases of a MONAI parity directory (the layout of
/// ../shared/parity: manifest.json + .npy files) against Medulla and prints
/// one line per case (passed, failed with the largest error, or skipped when
/// Medulla has no implementation of the op yet) and a closing line
/// "N passed, M failed, K skipped". Exit status 1 when a supported case
/// fails.
///
///   medulla-parity DIR [--manifest manifest.json] [--group transforms] [--case ID]
///                  [--verbose]

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <optional>

#include "app/parity/InferenceCase.h"
#include "app/parity/LossCase.h"
#include "app/parity/MetricCase.h"
#include "app/parity/NetworkCase.h"
#include "app/parity/OptimCase.h"
#include "engine/core/Error.h"
#include "engine/io/Npy.h"
#include "engine/transforms/CropOps.h"
#include "engine/transforms/CropPadOps.h"
#include "engine/transforms/FilterOps.h"
#include "engine/transforms/IntensityOps.h"
#include "engine/transforms/PostOps.h"
#include "engine/transforms/ResampleOps.h"

namespace {

using Json = nlohmann::json;
using Outputs = std::map<std::string, at::Tensor>;

struct Case {
    const Json& spec;
    std::string dir;
    at::Tensor input(const std::string& name) const {
        return medulla::readNpy(dir + "/" + spec["inputs"][name].get<std::string>());
    }
    const Json& params() const { return spec["params"]; }
    std::optional<double> opt(const char* key) const {
        const Json& p = params();
        if (!p.contains(key) || p[key].is_null())
            return std::nullopt;
        return p[key].get<double>();
    }
    double num(const char* key, double fallback) const { return opt(key).value_or(fallback); }
    bool flag(const char* key, bool fallback) const { return params().value(key, fallback); }
    /// An int or a list of ints ("k": 16 or [8, 5, 3]); empty if absent or null.
    std::vector<int64_t> ints(const char* key) const {
        const Json& p = params();
        if (!p.contains(key) || p[key].is_null())
            return {};
        return p[key].is_array() ? p[key].get<std::vector<int64_t>>()
                                 : std::vector<int64_t>{p[key].get<int64_t>()};
    }
    std::string text(const char* key, const char* fallback) const {
        return params().value(key, std::string(fallback));
    }
    /// The "img" input wrapped with its "affine" input (identity if none).
    medulla::Volume volume() const {
        medulla::Affine a;
        if (spec["inputs"].contains("affine")) {
            const at::Tensor t = input("affine").to(torch::kDouble).contiguous();
            for (int r = 0; r < 4; ++r)
                for (int k = 0; k < 4; ++k)
                    a(r, k) = t[r][k].item<double>();
        }
        return medulla::Volume(input("img"), a);
    }
    std::vector<double> list(const char* key) const {
        const Json& p = params();
        if (!p.contains(key) || p[key].is_null())
            return {};
        return p[key].is_array() ? p[key].get<std::vector<double>>()
                                 : std::vector<double>{p[key].get<double>()};
    }
};

using Handler = std::function<Outputs(const Case&)>;

Outputs volumeOutputs(const medulla::Volume& v) {
    at::Tensor a = torch::empty({4, 4}, torch::kDouble);
    for (int r = 0; r < 4; ++r)
        for (int k = 0; k < 4; ++k)
            a[r][k] = v.affine()(r, k);
    return {{"img", v.data()}, {"affine", a}};
}

/// The grid_sample-style mode of a case (defaults as in the MONAI class).
medulla::GridMode gridMode(const Case& c, const char* mode, const char* padding, bool align) {
    return {medulla::parseInterp(c.text("mode", mode), "mode"),
            medulla::parsePadding(c.text("padding_mode", padding), "padding_mode"),
            c.params().contains("align_corners") && !c.params()["align_corners"].is_null()
                ? c.params()["align_corners"].get<bool>()
                : align};
}

std::optional<bool> optionalFlag(const Case& c, const char* key) {
    if (!c.params().contains(key) || c.params()[key].is_null())
        return std::nullopt;
    return c.params()[key].get<bool>();
}

at::Tensor matrixTensor(const medulla::MatrixN& m) {
    const auto n = int64_t(m.size());
    at::Tensor t = torch::empty({n, n}, torch::kDouble);
    for (int64_t r = 0; r < n; ++r)
        for (int64_t k = 0; k < n; ++k)
            t[r][k] = m(size_t(r), size_t(k));
    return t;
}

/// Handlers by MONAI op name; each returns the outputs it computes, named
/// as in the manifest.
const std::map<std::string, Handler>& handlers() {
    static const std::map<std::string, Handler> h = {
        {"Spacing",
         [](const Case& c) {
             medulla::SpacingParams p;
             p.pixdim = c.list("pixdim");
             p.diagonal = c.flag("diagonal", false);
             p.scaleExtent = c.flag("scale_extent", false);
             p.minPixdim = c.list("min_pixdim");
             p.maxPixdim = c.list("max_pixdim");
             p.mode = gridMode(c, "bilinear", "border", false);
             return volumeOutputs(medulla::spacingVolume(c.volume(), p, "Spacing"));
         }},
        {"Orientation",
         [](const Case& c) {
             return volumeOutputs(
                 medulla::orientationVolume(c.volume(), c.text("axcodes", "RAS"), "Orientation"));
         }},
        {"Resize",
         [](const Case& c) {
             return volumeOutputs(medulla::resizeVolume(
                 c.volume(), c.ints("spatial_size"), c.text("size_mode", "all"),
                 c.text("mode", "area"), optionalFlag(c, "align_corners"),
                 c.flag("anti_aliasing", false), c.list("anti_aliasing_sigma"), "Resize"));
         }},
        {"Zoom",
         [](const Case& c) {
             return volumeOutputs(medulla::zoomVolume(
                 c.volume(), c.list("zoom"), c.text("mode", "area"), c.text("padding_mode", "edge"),
                 optionalFlag(c, "align_corners"), c.flag("keep_size", true), "Zoom"));
         }},
        {"Rotate",
         [](const Case& c) {
             return volumeOutputs(
                 medulla::rotateVolume(c.volume(), c.list("angle"), c.flag("keep_size", true),
                                       gridMode(c, "bilinear", "border", false), "Rotate"));
         }},
        {"Affine",
         [](const Case& c) {
             medulla::AffineParams p;
             p.rotate = c.list("rotate_params");
             p.shear = c.list("shear_params");
             p.translate = c.list("translate_params");
             p.scale = c.list("scale_params");
             p.spatialSize = c.ints("spatial_size");
             medulla::MatrixN m;
             Outputs out = volumeOutputs(medulla::affineVolume(
                 c.volume(), p, gridMode(c, "bilinear", "reflection", false), &m, "Affine"));
             // MONAI returns a 4x4 matrix for 2D images too (z untouched).
             out["transform_matrix"] =
                 m.size() == 4 ? matrixTensor(m)
                               : volumeOutputs(medulla::Volume(torch::zeros({1, 1, 1}),
                                                               m.appliedTo(medulla::Affine())))
                                     .at("affine");
             return out;
         }},
        {"ScaleIntensityRange",
         [](const Case& c) {
             return Outputs{{"img", medulla::scaleIntensityRange(
                                        c.input("img"), c.num("a_min", 0), c.num("a_max", 0),
                                        c.opt("b_min"), c.opt("b_max"), c.flag("clip", false))}};
         }},
        {"ScaleIntensity",
         [](const Case& c) {
             const bool hasRange = !c.params().contains("minv") || !c.params()["minv"].is_null();
             return Outputs{
                 {"img", medulla::scaleIntensity(
                             c.input("img"), hasRange ? c.opt("minv").value_or(0.0) : c.opt("minv"),
                             hasRange ? c.opt("maxv").value_or(1.0) : c.opt("maxv"),
                             c.opt("factor"), c.flag("channel_wise", false))}};
         }},
        {"NormalizeIntensity",
         [](const Case& c) {
             return Outputs{{"img", medulla::normalizeIntensity(
                                        c.input("img"), c.list("subtrahend"), c.list("divisor"),
                                        c.flag("nonzero", false), c.flag("channel_wise", false))}};
         }},
        {"Flip",
         [](const Case& c) {
             return volumeOutputs(medulla::flipVolume(c.volume(), c.ints("spatial_axis")));
         }},
        {"Rotate90",
         [](const Case& c) {
             std::vector<int64_t> axes = c.ints("spatial_axes");
             if (axes.empty())
                 axes = {0, 1};
             return volumeOutputs(medulla::rotate90Volume(c.volume(), c.params().value("k", 1),
                                                          axes.at(0), axes.at(1)));
         }},
        {"SpatialPad",
         [](const Case& c) {
             return volumeOutputs(medulla::padVolume(
                 c.volume(), c.ints("spatial_size"), c.text("method", "symmetric"),
                 c.text("mode", "constant"), c.num("value", 0), "SpatialPad"));
         }},
        {"DivisiblePad",
         [](const Case& c) {
             return volumeOutputs(medulla::divisiblePadVolume(
                 c.volume(), c.ints("k"), c.text("method", "symmetric"), c.text("mode", "constant"),
                 c.num("value", 0), "DivisiblePad"));
         }},
        {"CenterSpatialCrop",
         [](const Case& c) {
             return volumeOutputs(medulla::centerCropVolume(c.volume(), c.ints("roi_size")));
         }},
        {"ThresholdIntensity",
         [](const Case& c) {
             return Outputs{
                 {"img", medulla::thresholdIntensity(c.input("img"), c.num("threshold", 0),
                                                     c.flag("above", true), c.num("cval", 0))}};
         }},
        {"GaussianSmooth",
         [](const Case& c) {
             std::vector<double> sigma = c.list("sigma");
             if (sigma.empty())
                 sigma = {1.0};
             return Outputs{
                 {"img", medulla::gaussianSmooth(c.input("img"), sigma, c.text("approx", "erf"))}};
         }},
        {"AsDiscrete",
         [](const Case& c) {
             const auto onehot = c.opt("to_onehot");
             const Json& r = c.params().value("rounding", Json());
             return Outputs{
                 {"img",
                  medulla::asDiscrete(
                      c.input("img"), c.flag("argmax", false),
                      onehot ? std::optional<int64_t>(int64_t(*onehot)) : std::nullopt,
                      c.opt("threshold"), r.is_string() ? r.get<std::string>() : std::string())}};
         }},
        {"KeepLargestConnectedComponent",
         [](const Case& c) {
             const Json& p = c.params();
             const bool hasLabels = p.contains("applied_labels") && !p["applied_labels"].is_null();
             const auto onehot = p.contains("is_onehot") && !p["is_onehot"].is_null()
                                     ? std::optional<bool>(p["is_onehot"].get<bool>())
                                     : std::nullopt;
             const auto conn = c.opt("connectivity");
             return Outputs{
                 {"img", medulla::keepLargestConnectedComponent(
                             c.input("img"),
                             hasLabels ? std::optional(c.list("applied_labels")) : std::nullopt,
                             onehot, c.flag("independent", true),
                             conn ? std::optional<int>(int(*conn)) : std::nullopt,
                             int64_t(c.num("num_components", 1)))}};
         }},
        {"LabelToContour",
         [](const Case& c) {
             return Outputs{{"img", medulla::labelToContour(c.input("img"),
                                                            c.text("kernel_type", "Laplace"))}};
         }},
        {"FillHoles",
         [](const Case& c) {
             const std::vector<double> labels = c.list("applied_labels");
             const auto conn = c.opt("connectivity");
             return Outputs{
                 {"img", medulla::fillHoles(c.input("img"),
                                            labels.empty() ? std::nullopt : std::optional(labels),
                                            conn ? std::optional<int>(int(*conn)) : std::nullopt)}};
         }},
        {"CropForeground",
         [](const Case& c) {
             std::vector<int64_t> margin = c.ints("margin"), k = c.ints("k_divisible");
             if (margin.empty())
                 margin = {0};
             if (k.empty())
                 k = {1};
             medulla::CropBox box;
             Outputs out = volumeOutputs(medulla::cropForegroundVolume(
                 c.volume(), c.ints("channel_indices"), margin, c.flag("allow_smaller", true), k,
                 c.text("mode", "constant"), c.num("value", 0), "CropForeground", &box));
             out["box_start"] = torch::tensor(box.start, torch::kLong);
             out["box_end"] = torch::tensor(box.end, torch::kLong);
             return out;
         }},
    };
    return h;
}

/// Largest excess of |got - want| over atol + rtol |want| (<= 0: within
/// tolerance); NaN must match NaN and inf must match inf.
/// Groups run by their own files in app/parity/ (the transforms are the
/// handlers above): whether Medulla has the op, and the case runner.
struct GroupRunner {
    bool (*has)(const std::string& op);
    Outputs (*run)(const Json& spec, const std::string& dir);
};

const std::map<std::string, GroupRunner>& groupRunners() {
    static const std::map<std::string, GroupRunner> g = {
        {"losses", {medulla::parity::hasLoss, medulla::parity::runLossCase}},
        {"metrics", {medulla::parity::hasMetric, medulla::parity::runMetricCase}},
        {"networks", {medulla::parity::hasNetwork, medulla::parity::runNetworkCase}},
        {"optim", {medulla::parity::hasOptim, medulla::parity::runOptimCase}},
        {"inference", {medulla::parity::hasInference, medulla::parity::runInferenceCase}},
    };
    return g;
}

double excess(const at::Tensor& got, const at::Tensor& want, double rtol, double atol) {
    if (!got.sizes().equals(want.sizes()))
        return INFINITY;
    const at::Tensor g = got.to(torch::kDouble).flatten(), w = want.to(torch::kDouble).flatten();
    const at::Tensor bothNan = torch::isnan(g) & torch::isnan(w);
    const at::Tensor sameInf = torch::isinf(w) & (g == w);
    at::Tensor e = (g - w).abs() - (atol + rtol * w.abs());
    e = torch::where(bothNan | sameInf, torch::full_like(e, -1.0), e);
    e = torch::where(torch::isnan(e), torch::full_like(e, INFINITY), e);
    return e.numel() ? e.max().item<double>() : -1.0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"Run MONAI parity cases against Medulla"};
    std::string dir, group;
    bool verbose = false;
    app.add_option("dir", dir, "parity directory (manifest.json + .npy files)")->required();
    app.add_option("--group", group, "only this group (transforms, losses, ...)");
    std::string only, manifestName = "manifest.json";
    app.add_option("--manifest", manifestName, "manifest file name inside DIR");
    app.add_option("--case", only, "only the case with this id");
    app.add_flag("--verbose", verbose, "also list the skipped cases");
    CLI11_PARSE(app, argc, argv);
    torch::set_num_threads(2);

    std::ifstream f(dir + "/" + manifestName);
    if (!f) {
        std::fprintf(stderr, "error: %s/%s not found\n", dir.c_str(), manifestName.c_str());
        return 2;
    }
    Json manifest;
    try {
        f >> manifest;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s/%s: %s\n", dir.c_str(), manifestName.c_str(), e.what());
        return 2;
    }
    int passed = 0, failed = 0, skipped = 0;
    for (const Json& spec : manifest["cases"]) {
        const std::string id = spec.value("id", "?"), op = spec.value("op", "?");
        if (!group.empty() && spec.value("group", "") != group)
            continue;
        if (!only.empty() && id != only)
            continue;
        auto g = groupRunners().find(spec.value("group", ""));
        const bool byGroup = g != groupRunners().end();
        auto h = handlers().find(op);
        const bool supported = byGroup ? g->second.has(op) : h != handlers().end();
        if (!supported) {
            ++skipped;
            if (verbose)
                std::printf("skipped %s (%s not supported yet)\n", id.c_str(), op.c_str());
            continue;
        }
        const double rtol = spec.value("rtol", 1e-5), atol = spec.value("atol", 1e-6);
        try {
            const Outputs got = byGroup ? g->second.run(spec, dir) : h->second(Case{spec, dir});
            double worst = -INFINITY;
            std::string where;
            for (const auto& [name, tensor] : got) {
                if (!spec["outputs"].contains(name))
                    continue;
                const Json& ref = spec["outputs"][name];
                // An .npy file, or numbers given inline (e.g. CropForeground's box).
                const at::Tensor want =
                    ref.is_string()  ? medulla::readNpy(dir + "/" + ref.get<std::string>())
                    : ref.is_array() ? torch::tensor(ref.get<std::vector<double>>(), torch::kDouble)
                                     : torch::tensor(ref.get<double>(), torch::kDouble);
                const double e = excess(tensor, want, rtol, atol);
                if (e > worst) {
                    worst = e;
                    where = name;
                }
            }
            if (worst <= 0) {
                ++passed;
                std::printf("passed  %s\n", id.c_str());
            } else {
                ++failed;
                std::printf("FAILED  %s: %s exceeds the tolerance by %g\n", id.c_str(),
                            where.c_str(), worst);
            }
        } catch (const std::exception& e) {
            ++failed;
            std::printf("FAILED  %s: %s\n", id.c_str(), e.what());
        }
    }
    std::printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
