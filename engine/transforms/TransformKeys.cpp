#include "engine/transforms/TransformKeys.h"

#include <algorithm>
#include <set>

#include "engine/core/Error.h"
#include "engine/transforms/Transform.h"

namespace medulla {
namespace {

/// Parameters holding one value per key when given as a list of len(keys).
const std::set<std::string>& perKeyParams() {
    static const std::set<std::string> names = {
        "mode", "padding_mode", "dtype", "prefix", "orig_keys", "nearest_interp", "align_corners"};
    return names;
}

/// Parameters naming one key that the transform reads besides its keys.
const std::vector<std::string>& keyReferences() {
    static const std::vector<std::string> names = {"source_key", "label_key", "image_key", "w_key"};
    return names;
}

const ParamSpec* findSpec(const ComponentInfo& info, const std::string& name) {
    for (const auto& p : info.params)
        if (p.name == name)
            return &p;
    return nullptr;
}

/// A string or a list of strings as a list (a null value: empty).
std::vector<std::string> stringsOf(const Json& value, const std::string& field) {
    std::vector<std::string> out;
    if (value.is_null())
        return out;
    if (value.is_string())
        return {value.get<std::string>()};
    if (!value.is_array())
        throw ConfigError("expected a key or a list of keys", {}, field);
    for (const Json& e : value) {
        if (!e.is_string())
            throw ConfigError("expected a key or a list of keys", {}, field);
        out.push_back(e.get<std::string>());
    }
    return out;
}

/// The value `t` gives `name`, else its schema default (null when neither).
Json effective(const Json& t, const ComponentInfo& info, const std::string& name) {
    if (t.contains(name))
        return t[name];
    const ParamSpec* spec = findSpec(info, name);
    return spec ? spec->defaultValue : Json();
}

class Restrictor {
public:
    explicit Restrictor(const std::vector<std::string>& keys)
        : available_(keys.begin(), keys.end()) {}

    Json list(const Json& transforms, const std::string& context) {
        if (!transforms.is_array())
            throw ConfigError("expected a list of transforms", {}, context);
        Json out = Json::array();
        for (size_t i = 0; i < transforms.size(); ++i) {
            Json t = one(transforms[i], context + "[" + std::to_string(i) + "]");
            if (!t.is_null())
                out.push_back(std::move(t));
        }
        return out;
    }

private:
    bool has(const std::string& key) const { return available_.count(key) > 0; }

    /// The restricted transform, or null when it is dropped.
    Json one(const Json& t, const std::string& field) {
        if (!t.is_object() || !t.contains("name") || !t["name"].is_string())
            throw ConfigError("expected an object with a \"name\"", {}, field);
        const std::string name = t["name"].get<std::string>();
        if (t.contains("transforms"))
            return nested(t, field);
        if (!transformRegistry().contains(name))
            throw ConfigError("unknown transform \"" + name + "\"", {}, field + ".name");
        const ComponentInfo& info = transformRegistry().info(name);
        if (!findSpec(info, "keys"))
            return t; // works on the whole sample
        const std::vector<std::string> keys =
            stringsOf(effective(t, info, "keys"), field + ".keys");
        std::vector<size_t> kept;
        for (size_t k = 0; k < keys.size(); ++k)
            if (has(keys[k]))
                kept.push_back(k);
        if (kept.empty())
            return Json();
        if (name == "ConcatItemsd" && kept.size() != keys.size())
            throw ConfigError(name + " concatenates keys that are not available here (only " +
                                  availableList() + ")",
                              {}, field + ".keys");
        for (const auto& ref : keyReferences()) {
            if (!findSpec(info, ref))
                continue;
            const Json v = effective(t, info, ref);
            if (v.is_string() && !v.get<std::string>().empty() && !has(v.get<std::string>()))
                throw ConfigError(name + " needs \"" + v.get<std::string>() +
                                      "\", which is not available here (only " + availableList() +
                                      ")",
                                  {}, field + "." + ref);
        }
        Json out = t;
        Json keptKeys = Json::array();
        for (size_t k : kept)
            keptKeys.push_back(keys[k]);
        out["keys"] = keptKeys;
        if (keys.size() > 1)
            for (const auto& p : perKeyParams())
                if (out.contains(p) && out[p].is_array() && out[p].size() == keys.size()) {
                    Json entries = Json::array();
                    for (size_t k : kept)
                        entries.push_back(out[p][k]);
                    out[p] = entries;
                }
        created(name, out, keys, kept, field);
        return out;
    }

    /// Keys that a kept transform adds (CopyItemsd, ConcatItemsd).
    void created(const std::string& name, Json& out, const std::vector<std::string>& keys,
                 const std::vector<size_t>& kept, const std::string& field) {
        if (name == "ConcatItemsd" && out.contains("output_name") && out["output_name"].is_string())
            available_.insert(out["output_name"].get<std::string>());
        if (name != "CopyItemsd")
            return;
        const int64_t times = out.value("times", int64_t(1));
        const std::vector<std::string> names =
            stringsOf(out.contains("names") ? out["names"] : Json(), field + ".names");
        if (names.empty()) { // generated per kept key: <key>_<i>
            for (size_t k : kept)
                for (int64_t i = 0; i < times; ++i)
                    available_.insert(keys[k] + "_" + std::to_string(i));
            return;
        }
        if (names.size() != keys.size() * size_t(times))
            return;                     // the transform itself reports the mismatch
        Json keptNames = Json::array(); // time-major, as CopyItemsd reads them
        for (int64_t i = 0; i < times; ++i)
            for (size_t k : kept) {
                const std::string& n = names[size_t(i) * keys.size() + k];
                keptNames.push_back(n);
                available_.insert(n);
            }
        out["names"] = keptNames;
    }

    /// OneOf / RandomOrder: restrict the inner list (and its weights).
    Json nested(const Json& t, const std::string& field) {
        const Json& inner = t["transforms"];
        if (!inner.is_array())
            throw ConfigError("expected a list of transforms", {}, field + ".transforms");
        const bool weighted =
            t.contains("weights") && t["weights"].is_array() && t["weights"].size() == inner.size();
        Json out = t, transforms = Json::array(), weights = Json::array();
        for (size_t i = 0; i < inner.size(); ++i) {
            Json r = one(inner[i], field + ".transforms[" + std::to_string(i) + "]");
            if (r.is_null())
                continue;
            transforms.push_back(std::move(r));
            if (weighted)
                weights.push_back(t["weights"][i]);
        }
        if (transforms.empty())
            return Json();
        out["transforms"] = transforms;
        if (weighted)
            out["weights"] = weights;
        return out;
    }

    std::string availableList() const {
        std::string s;
        for (const auto& k : available_)
            s += (s.empty() ? "\"" : ", \"") + k + "\"";
        return s;
    }

    std::set<std::string> available_;
};

} // namespace

Json restrictToKeys(const Json& transforms, const std::vector<std::string>& keys,
                    const std::string& context) {
    return Restrictor(keys).list(transforms, context);
}

} // namespace medulla
