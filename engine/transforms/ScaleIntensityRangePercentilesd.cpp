#include "engine/transforms/ScaleIntensityRangePercentilesd.h"

#include "engine/transforms/RandIntensityOps.h"
#include "engine/transforms/TransformArgs.h"

namespace medulla {

ScaleIntensityRangePercentilesd::ScaleIntensityRangePercentilesd(
    ScaleIntensityRangePercentilesdOptions options)
    : options_(std::move(options)) {
    const std::string n = name();
    for (const char* p : {"lower", "upper"}) {
        const double v = std::string(p) == "lower" ? options_.lower() : options_.upper();
        if (!(v >= 0.0 && v <= 100.0))
            throw ConfigError("percentiles must be in [0, 100], got " + std::to_string(v), {},
                              n + "." + p);
    }
    if (options_.relative() && (!options_.b_min() || !options_.b_max()))
        throw ConfigError("relative needs b_min and b_max", {}, n + ".relative");
    dtype_ = parseDtypeName(options_.dtype(), n + ".dtype");
}

ComponentInfo ScaleIntensityRangePercentilesd::info() {
    return {"ScaleIntensityRangePercentilesd",
            "transform",
            "Scale intensities from the image's [lower, upper] percentiles to [b_min, b_max].",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             {"lower", ParamType::Float, Json(), 0, 100, {}, "lower intensity percentile"},
             {"upper", ParamType::Float, Json(), 0, 100, {}, "upper intensity percentile"},
             {"b_min", ParamType::Float, Json(), -1e30, 1e30, {}, "output minimum (null: none)"},
             {"b_max", ParamType::Float, Json(), -1e30, 1e30, {}, "output maximum (null: none)"},
             {"clip", ParamType::Bool, false, 0, 1, {}, "clip the output to [b_min, b_max]"},
             {"relative", ParamType::Bool, false, 0, 1, {}, "map to percentiles of the range"},
             {"channel_wise", ParamType::Bool, false, 0, 1, {}, "percentiles per channel"},
             {"dtype", ParamType::String, "float32", 0, 0, {}, "output data type"},
             {"allow_missing_keys", ParamType::Bool, false, 0, 1, {}, "skip absent keys"}}};
}

std::shared_ptr<Transform> ScaleIntensityRangePercentilesd::fromJson(const Json& config,
                                                                     const std::string& context) {
    static const ComponentInfo i = info();
    return withTransformName(i.name, [&] {
        ParamReader r(config, context, i.params);
        auto optional = [&](const char* key) -> std::optional<double> {
            if (r.has(key) && r.raw(key).is_null())
                return std::nullopt;
            return r.number(key);
        };
        return std::make_shared<ScaleIntensityRangePercentilesd>(
            ScaleIntensityRangePercentilesdOptions()
                .keys(r.stringList("keys"))
                .lower(r.number("lower"))
                .upper(r.number("upper"))
                .b_min(optional("b_min"))
                .b_max(optional("b_max"))
                .clip(r.boolean("clip"))
                .relative(r.boolean("relative"))
                .channel_wise(r.boolean("channel_wise"))
                .dtype(r.string("dtype"))
                .allow_missing_keys(r.boolean("allow_missing_keys")));
    });
}

Sample ScaleIntensityRangePercentilesd::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key :
         presentKeys(sample, options_.keys(), options_.allow_missing_keys(), name())) {
        Volume& v = sample.at(key);
        at::Tensor out = scaleIntensityRangePercentiles(
            v.data(), options_.lower(), options_.upper(), options_.b_min(), options_.b_max(),
            options_.clip(), options_.relative(), options_.channel_wise());
        v.setData(dtype_ ? out.to(*dtype_) : out);
    }
    return sample;
}

Json ScaleIntensityRangePercentilesd::toJson() const {
    auto opt = [](const std::optional<double>& v) { return v ? Json(*v) : Json(); };
    return {{"name", name()},
            {"keys", options_.keys()},
            {"lower", options_.lower()},
            {"upper", options_.upper()},
            {"b_min", opt(options_.b_min())},
            {"b_max", opt(options_.b_max())},
            {"clip", options_.clip()},
            {"relative", options_.relative()},
            {"channel_wise", options_.channel_wise()},
            {"dtype", options_.dtype()},
            {"allow_missing_keys", options_.allow_missing_keys()}};
}

} // namespace medulla
