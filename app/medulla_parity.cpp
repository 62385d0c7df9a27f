/// medulla-parity: runs the cases of a MONAI parity directory (the layout of
/// ../shared/parity: manifest.json + .npy files) against Medulla and prints
/// one line per case (passed, failed with the largest error, or skipped when
/// Medulla has no implementation of the op yet) and a closing line
/// "N passed, M failed, K skipped". Exit status 1 when a supported case
/// fails.
///
///   medulla-parity DIR [--group transforms] [--verbose]

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <optional>

#include "engine/core/Error.h"
#include "engine/io/Npy.h"
#include "engine/transforms/CropPadOps.h"
#include "engine/transforms/IntensityOps.h"

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

/// Handlers by MONAI op name; each returns the outputs it computes, named
/// as in the manifest.
const std::map<std::string, Handler>& handlers() {
    static const std::map<std::string, Handler> h = {
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
    };
    return h;
}

/// Largest excess of |got - want| over atol + rtol |want| (<= 0: within
/// tolerance); NaN must match NaN and inf must match inf.
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
    app.add_flag("--verbose", verbose, "also list the skipped cases");
    CLI11_PARSE(app, argc, argv);
    torch::set_num_threads(2);

    std::ifstream f(dir + "/manifest.json");
    if (!f) {
        std::fprintf(stderr, "error: %s/manifest.json not found\n", dir.c_str());
        return 2;
    }
    Json manifest;
    try {
        f >> manifest;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s/manifest.json: %s\n", dir.c_str(), e.what());
        return 2;
    }
    int passed = 0, failed = 0, skipped = 0;
    for (const Json& spec : manifest["cases"]) {
        const std::string id = spec.value("id", "?"), op = spec.value("op", "?");
        if (!group.empty() && spec.value("group", "") != group)
            continue;
        auto h = handlers().find(op);
        if (h == handlers().end()) {
            ++skipped;
            if (verbose)
                std::printf("skipped %s (%s not supported yet)\n", id.c_str(), op.c_str());
            continue;
        }
        const double rtol = spec.value("rtol", 1e-5), atol = spec.value("atol", 1e-6);
        try {
            const Outputs got = h->second(Case{spec, dir});
            double worst = -INFINITY;
            std::string where;
            for (const auto& [name, tensor] : got) {
                if (!spec["outputs"].contains(name))
                    continue;
                const at::Tensor want =
                    medulla::readNpy(dir + "/" + spec["outputs"][name].get<std::string>());
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
