#include "engine/transforms/RandCropByLabelClassesd.h"

#include <cmath>
#include <numeric>

#include "engine/transforms/CropOps.h"
#include "engine/transforms/SpatialOps.h"
#include "kernels/cpu/ClassIndices.h"

namespace medulla {

RandCropByLabelClassesd::RandCropByLabelClassesd(RandCropByLabelClassesdOptions options)
    : options_(std::move(options)) {
    const auto& o = options_;
    if (o.keys().empty())
        throw ConfigError("needs at least one key", {}, "RandCropByLabelClassesd.keys");
    if (o.spatial_size().empty())
        throw ConfigError("needs 1 value or one per spatial axis", {},
                          "RandCropByLabelClassesd.spatial_size");
    if (o.num_samples() < 1)
        throw ConfigError("must be >= 1, got " + std::to_string(o.num_samples()), {},
                          "RandCropByLabelClassesd.num_samples");
    if (o.num_classes() < 0)
        throw ConfigError("must be >= 1 (or 0: not given)", {},
                          "RandCropByLabelClassesd.num_classes");
    if (o.max_samples_per_class() < 0)
        throw ConfigError("must be >= 0", {}, "RandCropByLabelClassesd.max_samples_per_class");
    for (double r : o.ratios())
        if (!(r >= 0) || !std::isfinite(r))
            throw ConfigError("ratios must be finite and >= 0", {},
                              "RandCropByLabelClassesd.ratios");
    if (!o.ratios().empty() && std::accumulate(o.ratios().begin(), o.ratios().end(), 0.0) <= 0)
        throw ConfigError("at least one ratio must be > 0", {}, "RandCropByLabelClassesd.ratios");
    if (!o.ratios().empty() && o.num_classes() > 0 && int64_t(o.ratios().size()) != o.num_classes())
        throw ConfigError("has " + std::to_string(o.ratios().size()) + " values for " +
                              std::to_string(o.num_classes()) + " classes",
                          {}, "RandCropByLabelClassesd.ratios");
}

ComponentInfo RandCropByLabelClassesd::info() {
    return {"RandCropByLabelClassesd",
            "transform",
            "Random patches centred on voxels of classes drawn by ratios.",
            {{"keys", ParamType::StringList, Json{"image", "label"}, 0, 0, {}, "keys to crop"},
             {"label_key", ParamType::String, "label", 0, 0, {}, "label map key"},
             {"spatial_size",
              ParamType::IntList,
              Json(),
              -1,
              1e6,
              {},
              "patch size (-1: the label's size)"},
             {"ratios",
              ParamType::FloatList,
              Json::array(),
              0,
              1e30,
              {},
              "relative frequency per class; empty = equal"},
             {"num_classes",
              ParamType::Int,
              0,
              0,
              1e6,
              {},
              "classes of a 1-channel label (0: one-hot label)"},
             {"num_samples", ParamType::Int, 1, 1, 100000, {}, "patches per sample"},
             {"image_key", ParamType::String, "", 0, 0, {}, "image that limits the centres"},
             {"image_threshold", ParamType::Float, 0.0, -1e30, 1e30, {}, "image threshold"},
             {"allow_smaller",
              ParamType::Bool,
              false,
              0,
              0,
              {},
              "patch larger than the image: keep the axis whole (else fail)"},
             {"max_samples_per_class",
              ParamType::Int,
              0,
              0,
              1e12,
              {},
              "candidate voxels kept per class (0: all)"}}};
}

std::shared_ptr<Transform> RandCropByLabelClassesd::fromJson(const Json& config,
                                                             const std::string& context) {
    static const ComponentInfo i = info();
    ParamReader r(config, context, i.params);
    return std::make_shared<RandCropByLabelClassesd>(
        RandCropByLabelClassesdOptions()
            .keys(r.stringList("keys"))
            .label_key(r.string("label_key"))
            .spatial_size(r.intList("spatial_size"))
            .ratios(r.numberList("ratios"))
            .num_classes(r.integer("num_classes"))
            .num_samples(r.integer("num_samples"))
            .image_key(r.string("image_key"))
            .image_threshold(r.number("image_threshold"))
            .allow_smaller(r.boolean("allow_smaller"))
            .max_samples_per_class(r.integer("max_samples_per_class")));
}

Sample RandCropByLabelClassesd::apply(Sample sample, RandomGenerator& rng) const {
    return std::move(applyMany(std::move(sample), rng).front());
}

std::vector<Sample> RandCropByLabelClassesd::applyMany(Sample sample, RandomGenerator& rng) const {
    const std::string ctx = name();
    const Volume& label = sample.at(options_.label_key());
    const std::vector<int64_t> shape = label.spatialShape();
    if (label.channels() == 1 && options_.num_classes() < 1)
        throw ConfigError("a 1-channel label holds class indices: give num_classes", {},
                          ctx + ".num_classes");
    at::Tensor image;
    if (!options_.image_key().empty())
        image = sample.at(options_.image_key()).data();
    std::vector<std::vector<int64_t>> indices = kernels::mapClassIndices(
        label.data(), options_.num_classes(), image, options_.image_threshold());

    // max_samples_per_class: evenly spaced picks, round half to even as numpy.
    const int64_t most = options_.max_samples_per_class();
    if (most > 0)
        for (auto& cls : indices) {
            const int64_t n = int64_t(cls.size());
            if (n <= most || n <= 1)
                continue;
            std::vector<int64_t> kept(static_cast<size_t>(most));
            for (int64_t i = 0; i < most; ++i) {
                const double x = most == 1 ? 0.0 : double(i) * double(n - 1) / double(most - 1);
                kept[size_t(i)] = cls[size_t(std::nearbyint(x))];
            }
            cls = std::move(kept);
        }

    std::vector<double> ratios = options_.ratios();
    if (ratios.empty())
        ratios.assign(indices.size(), 1.0);
    if (ratios.size() != indices.size())
        throw ConfigError("has " + std::to_string(ratios.size()) + " values but the label has " +
                              std::to_string(indices.size()) + " classes",
                          {}, ctx + ".ratios");
    double total = 0;
    for (size_t c = 0; c < ratios.size(); ++c) {
        if (indices[c].empty())
            ratios[c] = 0; // no voxel of this class to centre on
        total += ratios[c];
    }
    if (total <= 0)
        throw ShapeError("no class with a nonzero ratio has voxels to centre a patch on", {},
                         ctx + ".ratios");

    const std::vector<int64_t> size =
        fallBackSize(options_.spatial_size(), shape, ctx + ".spatial_size");
    std::vector<Sample> out;
    for (int64_t n = 0; n < options_.num_samples(); ++n) {
        // The class: the first whose cumulative ratio exceeds u * total.
        const double u = rng.uniform() * total;
        size_t cls = 0;
        double acc = 0;
        for (size_t c = 0; c < ratios.size(); ++c) {
            if (ratios[c] <= 0)
                continue;
            cls = c;
            acc += ratios[c];
            if (u < acc)
                break;
        }
        const auto& pool = indices[cls];
        const int64_t flat = pool[size_t(rng.integer(0, int64_t(pool.size())))];
        const std::vector<int64_t> centre = correctCropCenter(unravelIndex(flat, shape), size,
                                                              shape, options_.allow_smaller(), ctx);
        Sample s = sample; // tensors are shared, not copied
        for (const auto& key : options_.keys()) {
            const Volume& v = sample.at(key);
            Volume cropped = cropToBox(
                v, boxFromCenter(centre, fallBackSize(options_.spatial_size(), v.spatialShape(),
                                                      ctx + ".spatial_size")));
            s.recordSpatial(key, name());
            s.volumes[key] = std::move(cropped);
        }
        out.push_back(std::move(s));
    }
    return out;
}

Json RandCropByLabelClassesd::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"label_key", options_.label_key()},
            {"spatial_size", options_.spatial_size()},
            {"ratios", options_.ratios()},
            {"num_classes", options_.num_classes()},
            {"num_samples", options_.num_samples()},
            {"image_key", options_.image_key()},
            {"image_threshold", options_.image_threshold()},
            {"allow_smaller", options_.allow_smaller()},
            {"max_samples_per_class", options_.max_samples_per_class()}};
}

} // namespace medulla
