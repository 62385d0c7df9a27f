#pragma once
/// A layer choice written as MONAI writes it: a name ("batch", "prelu"), or a
/// name with constructor arguments (["GROUP", {"num_groups": 2}]), or nothing
/// (null, "none", ""). Names are case-insensitive; dropout may also be a bare
/// probability (0.2 == ["dropout", {"p": 0.2}]).

#include <nlohmann/json.hpp>

#include <string>

namespace medulla {

struct LayerSpec {
    std::string name; ///< lower case; empty = no layer
    nlohmann::json args = nlohmann::json::object();

    LayerSpec() = default;
    LayerSpec(const char* n) : LayerSpec(std::string(n)) {}
    LayerSpec(const std::string& n);
    LayerSpec(const std::string& n, nlohmann::json a);

    bool none() const { return name.empty(); }
    /// Parse the JSON forms above; ConfigError names `field`.
    static LayerSpec parse(const nlohmann::json& value, const std::string& field);
    /// A bare probability p >= 0 means ["dropout", {"p": p}]; p < 0 means none.
    static LayerSpec dropout(double p);
    /// "name" without arguments, ["name", {args}] with them, null for none.
    nlohmann::json toJson() const;

    /// Typed argument access with defaults; ConfigError names `field.name`.
    double number(const char* key, double fallback) const;
    int64_t integer(const char* key, int64_t fallback) const;
    bool flag(const char* key, bool fallback) const;
    bool has(const char* key) const { return args.contains(key) && !args[key].is_null(); }
};

} // namespace medulla
