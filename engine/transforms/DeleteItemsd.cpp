#include "engine/transforms/DeleteItemsd.h"

#include <regex>
#include <set>

#include "engine/transforms/TransformArgs.h"

namespace medulla {
namespace {
const std::string kMetaSuffix = "_meta_dict";

bool endsWith(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

void erase(Sample& s, const std::string& item) {
    if (endsWith(item, kMetaSuffix) && !s.has(item) && !s.paths.count(item)) {
        s.meta.erase(item.substr(0, item.size() - kMetaSuffix.size()));
        return;
    }
    s.volumes.erase(item);
    s.paths.erase(item);
    s.meta.erase(item);
    s.applied.erase(item);
}
} // namespace

DeleteItemsd::DeleteItemsd(DeleteItemsdOptions options) : options_(std::move(options)) {
    const auto& keys = options_.keys();
    const auto& re = options_.use_re();
    if (re.size() == 1)
        useRe_.assign(keys.size(), re[0]);
    else if (re.size() == keys.size())
        useRe_ = re;
    else
        throw ConfigError("expected one flag or one per key (" + std::to_string(keys.size()) + ")",
                          {}, name() + ".use_re");
    for (size_t i = 0; i < keys.size(); ++i) {
        if (!options_.sep().empty() && keys[i].find(options_.sep()) != std::string::npos)
            throw ConfigError("nested key \"" + keys[i] + "\" (separator \"" + options_.sep() +
                                  "\"): a sample has no nested items",
                              {}, name() + ".keys");
        if (useRe_[i]) {
            try {
                std::regex check(keys[i]);
            } catch (const std::regex_error& e) {
                throw ConfigError("bad regular expression \"" + keys[i] + "\": " + e.what(), {},
                                  name() + ".keys");
            }
        }
    }
}

ComponentInfo DeleteItemsd::info() {
    return {"DeleteItemsd",
            "transform",
            "Delete items (volume, path and metadata) from the sample.",
            {{"keys", ParamType::StringList, Json(), 0, 0, {}, "keys (or patterns) to delete"},
             {"sep", ParamType::String, ".", 0, 0, {}, "separator of nested keys"},
             {"use_re",
              ParamType::Bool,
              false,
              0,
              1,
              {},
              "keys are regular expressions (one flag or a list, one per key)"}}};
}

std::shared_ptr<Transform> DeleteItemsd::fromJson(const Json& config, const std::string& context) {
    static const ComponentInfo i = info();
    return withTransformName(i.name, [&] {
        // use_re may be a list of flags, which the Bool spec cannot read.
        Json c = config;
        std::vector<bool> useRe;
        if (c.is_object() && c.contains("use_re") && c["use_re"].is_array()) {
            for (size_t k = 0; k < c["use_re"].size(); ++k) {
                if (!c["use_re"][k].is_boolean())
                    throw ConfigError("expected a boolean", {},
                                      (context.empty() ? "" : context + ".") + "use_re[" +
                                          std::to_string(k) + "]");
                useRe.push_back(c["use_re"][k].get<bool>());
            }
            c.erase("use_re");
        }
        ParamReader r(c, context, i.params);
        if (useRe.empty())
            useRe.push_back(r.boolean("use_re"));
        return std::make_shared<DeleteItemsd>(
            DeleteItemsdOptions().keys(r.stringList("keys")).sep(r.string("sep")).use_re(useRe));
    });
}

Sample DeleteItemsd::apply(Sample sample, RandomGenerator&) const {
    const auto& keys = options_.keys();
    for (size_t i = 0; i < keys.size(); ++i) {
        if (!useRe_[i]) {
            erase(sample, keys[i]);
            continue;
        }
        std::set<std::string> items;
        for (const auto& kv : sample.volumes)
            items.insert(kv.first);
        for (const auto& kv : sample.paths)
            items.insert(kv.first);
        for (const auto& kv : sample.meta)
            items.insert(kv.first + kMetaSuffix);
        const std::regex re(keys[i]);
        for (const auto& item : items)
            if (std::regex_search(item, re))
                erase(sample, item);
    }
    return sample;
}

Json DeleteItemsd::toJson() const {
    const auto& re = options_.use_re();
    return {{"name", name()},
            {"keys", options_.keys()},
            {"sep", options_.sep()},
            {"use_re", re.size() == 1 ? Json(bool(re[0])) : Json(re)}};
}

} // namespace medulla
