#include "engine/networks/LayerSpec.h"

#include <algorithm>

#include "engine/core/Error.h"

namespace medulla {
namespace {
std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s == "none" ? std::string() : s;
}
} // namespace

LayerSpec::LayerSpec(const std::string& n) : name(lower(n)) {}

LayerSpec::LayerSpec(const std::string& n, nlohmann::json a) : name(lower(n)), args(std::move(a)) {
    if (args.is_null())
        args = nlohmann::json::object();
}

LayerSpec LayerSpec::parse(const nlohmann::json& v, const std::string& field) {
    if (v.is_null())
        return {};
    if (v.is_string())
        return LayerSpec(v.get<std::string>());
    if (v.is_number())
        return dropout(v.get<double>());
    if (v.is_array() && !v.empty() && v[0].is_string() &&
        (v.size() == 1 || (v.size() == 2 && (v[1].is_object() || v[1].is_null()))))
        return LayerSpec(v[0].get<std::string>(), v.size() == 2 ? v[1] : nlohmann::json::object());
    throw ConfigError("expected a name, [name, {arguments}] or null, got " + v.dump(), {}, field);
}

LayerSpec LayerSpec::dropout(double p) {
    if (p < 0)
        return {};
    return LayerSpec("dropout", {{"p", p}});
}

nlohmann::json LayerSpec::toJson() const {
    if (none())
        return nullptr;
    if (args.empty())
        return name;
    if (name == "dropout" && args.size() == 1 && args.contains("p"))
        return args["p"];
    return nlohmann::json::array({name, args});
}

double LayerSpec::number(const char* key, double fallback) const {
    if (!has(key))
        return fallback;
    if (!args[key].is_number())
        throw ConfigError("expected a number, got " + args[key].dump(), {}, name + "." + key);
    return args[key].get<double>();
}

int64_t LayerSpec::integer(const char* key, int64_t fallback) const {
    if (!has(key))
        return fallback;
    if (!args[key].is_number_integer())
        throw ConfigError("expected an integer, got " + args[key].dump(), {}, name + "." + key);
    return args[key].get<int64_t>();
}

bool LayerSpec::flag(const char* key, bool fallback) const {
    if (!has(key))
        return fallback;
    if (!args[key].is_boolean())
        throw ConfigError("expected true or false, got " + args[key].dump(), {}, name + "." + key);
    return args[key].get<bool>();
}

} // namespace medulla
