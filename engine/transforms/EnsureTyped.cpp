#include "engine/transforms/EnsureTyped.h"

#include "engine/transforms/TransformArgs.h"

namespace medulla {

EnsureTyped::EnsureTyped(EnsureTypedOptions options) : options_(std::move(options)) {
    if (options_.data_type() != "tensor" && options_.data_type() != "numpy")
        throw ConfigError("\"" + options_.data_type() + "\" is not one of: tensor, numpy", {},
                          name() + ".data_type");
    for (const auto& n :
         repeatPerKey(options_.dtype(), options_.keys().size(), "", name() + ".dtype"))
        dtypes_.push_back(parseDtypeName(n, name() + ".dtype"));
    device_ = parseDeviceName(options_.device(), name() + ".device");
    if (options_.data_type() == "numpy")
        device_ = c10::Device(c10::kCPU);
}

ComponentInfo EnsureTyped::info() {
    return {"EnsureTyped",
            "transform",
            "Ensure tensors of a data type on a device.",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             {"data_type",
              ParamType::String,
              "tensor",
              0,
              0,
              {"tensor", "numpy"},
              "tensor, or numpy (CPU data)"},
             {"dtype",
              ParamType::StringList,
              Json::array(),
              0,
              0,
              {},
              "data type, or one per key (empty: keep)"},
             {"device", ParamType::String, "", 0, 0, {}, "device, e.g. cpu, cuda:0 (empty: keep)"},
             {"wrap_sequence", ParamType::Bool, true, 0, 1, {}, "accepted for MONAI configs"},
             {"track_meta", ParamType::Bool, true, 0, 1, {}, "accepted; metadata is always kept"},
             {"allow_missing_keys", ParamType::Bool, false, 0, 1, {}, "skip absent keys"}}};
}

std::shared_ptr<Transform> EnsureTyped::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    return withTransformName(i.name, [&] {
        ParamReader r(config, context, i.params);
        auto isNull = [&](const char* k) { return r.has(k) && r.raw(k).is_null(); };
        return std::make_shared<EnsureTyped>(
            EnsureTypedOptions()
                .keys(r.stringList("keys"))
                .data_type(r.string("data_type"))
                .dtype(isNull("dtype") ? std::vector<std::string>{} : r.stringList("dtype"))
                .device(isNull("device") ? std::string() : r.string("device"))
                .wrap_sequence(r.boolean("wrap_sequence"))
                .track_meta(isNull("track_meta") || r.boolean("track_meta"))
                .allow_missing_keys(r.boolean("allow_missing_keys")));
    });
}

Sample EnsureTyped::apply(Sample sample, RandomGenerator&) const {
    for (size_t i = 0; i < options_.keys().size(); ++i) {
        const std::string& key = options_.keys()[i];
        if (!sample.has(key) && options_.allow_missing_keys())
            continue;
        Volume& v = sample.at(key);
        v.setData(convertTensor(v.data(), dtypes_[i], device_, name() + ".device"));
    }
    return sample;
}

Json EnsureTyped::toJson() const {
    const auto& d = options_.dtype();
    return {{"name", name()},
            {"keys", options_.keys()},
            {"data_type", options_.data_type()},
            {"dtype", d.size() == 1 ? Json(d[0]) : Json(d)},
            {"device", options_.device()},
            {"wrap_sequence", options_.wrap_sequence()},
            {"track_meta", options_.track_meta()},
            {"allow_missing_keys", options_.allow_missing_keys()}};
}

} // namespace medulla
