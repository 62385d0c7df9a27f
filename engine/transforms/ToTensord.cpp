#include "engine/transforms/ToTensord.h"

#include "engine/transforms/TransformArgs.h"

namespace medulla {

ToTensord::ToTensord(ToTensordOptions options) : options_(std::move(options)) {
    dtype_ = parseDtypeName(options_.dtype(), name() + ".dtype");
    device_ = parseDeviceName(options_.device(), name() + ".device");
}

ComponentInfo ToTensord::info() {
    return {"ToTensord",
            "transform",
            "Ensure tensors, converting data type and device where given.",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to process"},
             {"dtype", ParamType::String, "", 0, 0, {}, "data type (empty: keep)"},
             {"device", ParamType::String, "", 0, 0, {}, "device, e.g. cpu, cuda:0 (empty: keep)"},
             {"wrap_sequence", ParamType::Bool, true, 0, 1, {}, "accepted for MONAI configs"},
             {"track_meta", ParamType::Bool, true, 0, 1, {}, "accepted; metadata is always kept"},
             {"allow_missing_keys", ParamType::Bool, false, 0, 1, {}, "skip absent keys"}}};
}

std::shared_ptr<Transform> ToTensord::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    return withTransformName(i.name, [&] {
        ParamReader r(config, context, i.params);
        auto str = [&](const char* k) {
            return r.has(k) && r.raw(k).is_null() ? std::string() : r.string(k);
        };
        auto flag = [&](const char* k) { return (r.has(k) && r.raw(k).is_null()) || r.boolean(k); };
        return std::make_shared<ToTensord>(
            ToTensordOptions()
                .keys(r.stringList("keys"))
                .dtype(str("dtype"))
                .device(str("device"))
                .wrap_sequence(r.boolean("wrap_sequence"))
                .track_meta(flag("track_meta"))
                .allow_missing_keys(r.boolean("allow_missing_keys")));
    });
}

Sample ToTensord::apply(Sample sample, RandomGenerator&) const {
    for (const auto& key :
         presentKeys(sample, options_.keys(), options_.allow_missing_keys(), name())) {
        Volume& v = sample.at(key);
        v.setData(convertTensor(v.data(), dtype_, device_, name() + ".device"));
    }
    return sample;
}

Json ToTensord::toJson() const {
    return {{"name", name()},
            {"keys", options_.keys()},
            {"dtype", options_.dtype()},
            {"device", options_.device()},
            {"wrap_sequence", options_.wrap_sequence()},
            {"track_meta", options_.track_meta()},
            {"allow_missing_keys", options_.allow_missing_keys()}};
}

} // namespace medulla
