#include "engine/transforms/DataStatsd.h"

#include <torch/torch.h>

#include <sstream>

#include "engine/transforms/TransformArgs.h"
#include "engine/transforms/TransformLog.h"

namespace medulla {
DataStatsd::DataStatsd(DataStatsdOptions options) : options_(std::move(options)) {
    prefixes_ = repeatPerKey(options_.prefix(), options_.keys().size(), "Data", name() + ".prefix");
}

ComponentInfo DataStatsd::info() {
    return {"DataStatsd",
            "transform",
            "Log type, shape and value range of the data (for debugging); changes nothing.",
            {{"keys", ParamType::StringList, Json{"image"}, 0, 0, {}, "keys to describe"},
             {"prefix", ParamType::StringList, "Data", 0, 0, {}, "heading, or one per key"},
             {"data_type", ParamType::Bool, true, 0, 1, {}, "log the data type"},
             {"data_shape", ParamType::Bool, true, 0, 1, {}, "log the shape"},
             {"value_range", ParamType::Bool, true, 0, 1, {}, "log the minimum and maximum"},
             {"data_value", ParamType::Bool, false, 0, 1, {}, "log every value"},
             {"logger_name",
              ParamType::String,
              "DataStats",
              0,
              0,
              {},
              "logger name (MONAI's `name`; \"name\" is the class here)"},
             {"allow_missing_keys", ParamType::Bool, false, 0, 1, {}, "skip absent keys"}}};
}

std::shared_ptr<Transform> DataStatsd::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    return withTransformName(i.name, [&] {
        // MONAI's additional_info is a Python callable: only null is accepted.
        Json c = config;
        if (c.is_object() && c.contains("additional_info")) {
            if (!c["additional_info"].is_null())
                throw ConfigError("a callable cannot be given in JSON; leave it null", {},
                                  (context.empty() ? "" : context + ".") + "additional_info");
            c.erase("additional_info");
        }
        ParamReader r(c, context, i.params);
        return std::make_shared<DataStatsd>(
            DataStatsdOptions()
                .keys(r.stringList("keys"))
                .prefix(r.stringList("prefix"))
                .data_type(r.boolean("data_type"))
                .data_shape(r.boolean("data_shape"))
                .value_range(r.boolean("value_range"))
                .data_value(r.boolean("data_value"))
                .name(r.string("logger_name"))
                .allow_missing_keys(r.boolean("allow_missing_keys")));
    });
}

std::string DataStatsd::describe(const Volume& volume, const std::string& prefix) const {
    const at::Tensor& x = volume.data();
    std::ostringstream out;
    out << prefix << " statistics:";
    if (options_.data_type())
        out << "\nType: Volume torch." << dtypeToName(x.scalar_type()) << " (" << x.device() << ")";
    if (options_.data_shape()) {
        out << "\nShape: (";
        for (int64_t d = 0; d < x.dim(); ++d)
            out << (d ? ", " : "") << x.size(d);
        out << ")";
    }
    if (options_.value_range()) {
        if (x.numel() == 0)
            out << "\nValue range: (empty)";
        else
            out << "\nValue range: (" << x.min().item<double>() << ", " << x.max().item<double>()
                << ")";
    }
    if (options_.data_value())
        out << "\nValue: " << x;
    return out.str();
}

Sample DataStatsd::apply(Sample sample, RandomGenerator&) const {
    for (size_t i = 0; i < options_.keys().size(); ++i) {
        const std::string& key = options_.keys()[i];
        if (!sample.has(key) && options_.allow_missing_keys())
            continue;
        transformLog(options_.name(), describe(sample.at(key), prefixes_[i]));
    }
    return sample;
}

Json DataStatsd::toJson() const {
    const auto& p = options_.prefix();
    return {{"name", name()},
            {"keys", options_.keys()},
            {"prefix", p.size() == 1 ? Json(p[0]) : Json(p)},
            {"data_type", options_.data_type()},
            {"data_shape", options_.data_shape()},
            {"value_range", options_.value_range()},
            {"data_value", options_.data_value()},
            {"logger_name", options_.name()},
            {"allow_missing_keys", options_.allow_missing_keys()}};
}

} // namespace medulla
