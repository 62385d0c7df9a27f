#pragma once
/// Self-describing parameters. Every configurable component (transform,
/// network, loss, optimizer, trainer) lists its parameters as ParamSpecs: the
/// single source of names, types, defaults, ranges and help text that the
/// JSON reader validates against and the GUI builds its editors from.

#include <nlohmann/json.hpp>

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/Error.h"

namespace medulla {

using Json = nlohmann::json;

enum class ParamType { Bool, Int, Float, String, IntList, FloatList, StringList, Object };

/// One parameter of a component, named exactly as in MONAI where one exists.
struct ParamSpec {
    std::string name;
    ParamType type = ParamType::Float;
    Json defaultValue; ///< null means "required"
    double minValue = -std::numeric_limits<double>::infinity();
    double maxValue = std::numeric_limits<double>::infinity();
    std::vector<std::string> choices; ///< for String: allowed values (empty = any)
    std::string help;
};

/// A registered component: its name (e.g. "UNet"), category and parameters.
struct ComponentInfo {
    std::string name;
    std::string category; ///< "transform", "network", "loss", "optimizer", ...
    std::string help;
    std::vector<ParamSpec> params;
};

/// Reads a JSON object against a parameter list. Every error is a ConfigError
/// naming the dotted field ("network.channels[2]"). Unknown keys are errors
/// (they are almost always typos); the key "name" is always allowed.
class ParamReader {
public:
    ParamReader(const Json& object, std::string context, const std::vector<ParamSpec>& specs);

    bool boolean(const std::string& key) const;
    int64_t integer(const std::string& key) const;
    double number(const std::string& key) const;
    std::string string(const std::string& key) const;
    std::vector<int64_t> intList(const std::string& key) const;
    std::vector<double> numberList(const std::string& key) const;
    std::vector<std::string> stringList(const std::string& key) const;
    /// Raw JSON value (default if absent), for nested objects.
    const Json& raw(const std::string& key) const;
    /// True if the key was given explicitly.
    bool has(const std::string& key) const;

    /// "<context>.<key>"
    std::string field(const std::string& key) const;

private:
    const ParamSpec& spec(const std::string& key) const;
    const Json& value(const std::string& key) const;
    void checkRange(const std::string& key, double v) const;

    const Json& object_;
    std::string context_;
    const std::vector<ParamSpec>& specs_;
};

/// A JSON object with every parameter at its default (for docs and tests).
Json defaultsOf(const std::vector<ParamSpec>& specs);

/// Name -> factory registry for one family of components (Base = Transform,
/// torch module holder, ...). Built-ins register themselves on first use, so
/// nothing depends on static-initialisation order in static libraries.
template <class Base> class Registry {
public:
    using Factory =
        std::function<std::shared_ptr<Base>(const Json& config, const std::string& context)>;
    struct Entry {
        ComponentInfo info;
        Factory make;
    };

    void add(ComponentInfo info, Factory make) {
        const std::string name = info.name;
        entries_[name] = Entry{std::move(info), std::move(make)};
    }
    bool contains(const std::string& name) const { return entries_.count(name) > 0; }
    const ComponentInfo& info(const std::string& name) const { return find(name, "").info; }
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto& kv : entries_)
            out.push_back(kv.first);
        return out;
    }
    /// Build from {"name": "...", params...}; errors name `context`.
    std::shared_ptr<Base> create(const Json& config, const std::string& context) const {
        if (!config.is_object())
            throw ConfigError("expected an object with a \"name\"", {}, context);
        if (!config.contains("name") || !config["name"].is_string())
            throw ConfigError("missing string \"name\"", {}, context);
        return find(config["name"].get<std::string>(), context).make(config, context);
    }

private:
    const Entry& find(const std::string& name, const std::string& context) const {
        auto it = entries_.find(name);
        if (it == entries_.end()) {
            std::string known;
            for (const auto& kv : entries_)
                known += (known.empty() ? "" : ", ") + kv.first;
            throw ConfigError("unknown name \"" + name + "\" (known: " + known + ")", {},
                              context.empty() ? std::string("name") : context + ".name");
        }
        return it->second;
    }
    std::map<std::string, Entry> entries_;
};

} // namespace medulla
