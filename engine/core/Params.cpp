#include "engine/core/Params.h"

#include <cmath>

namespace medulla {
namespace {
const char* typeName(ParamType t) {
    switch (t) {
    case ParamType::Bool:
        return "a boolean";
    case ParamType::Int:
        return "an integer";
    case ParamType::Float:
        return "a number";
    case ParamType::String:
        return "a string";
    case ParamType::IntList:
        return "a list of integers (or one integer)";
    case ParamType::FloatList:
        return "a list of numbers (or one number)";
    case ParamType::StringList:
        return "a list of strings (or one string)";
    case ParamType::Object:
        return "an object";
    }
    return "?";
}

bool isInteger(const Json& v) {
    if (v.is_number_integer())
        return true;
    return v.is_number_float() && std::floor(v.get<double>()) == v.get<double>();
}
} // namespace

ParamReader::ParamReader(const Json& object, std::string context,
                         const std::vector<ParamSpec>& specs)
    : object_(object), context_(std::move(context)), specs_(specs) {
    if (!object_.is_object())
        throw ConfigError("expected a JSON object", {}, context_);
    for (auto it = object_.begin(); it != object_.end(); ++it) {
        if (it.key() == "name")
            continue;
        bool known = false;
        for (const auto& s : specs_)
            known = known || s.name == it.key();
        if (!known) {
            std::string names;
            for (const auto& s : specs_)
                names += (names.empty() ? "" : ", ") + s.name;
            throw ConfigError("unknown parameter (known: " + names + ")", {}, field(it.key()));
        }
    }
}

std::string ParamReader::field(const std::string& key) const {
    return context_.empty() ? key : context_ + "." + key;
}

const ParamSpec& ParamReader::spec(const std::string& key) const {
    for (const auto& s : specs_)
        if (s.name == key)
            return s;
    throw Error("internal: parameter '" + key + "' is not declared", {}, field(key));
}

bool ParamReader::has(const std::string& key) const {
    return object_.contains(key);
}

const Json& ParamReader::value(const std::string& key) const {
    const ParamSpec& s = spec(key);
    if (object_.contains(key))
        return object_.at(key);
    if (s.defaultValue.is_null())
        throw ConfigError("required parameter is missing", {}, field(key));
    return s.defaultValue;
}

const Json& ParamReader::raw(const std::string& key) const {
    return value(key);
}

void ParamReader::checkRange(const std::string& key, double v) const {
    const ParamSpec& s = spec(key);
    if (!(v >= s.minValue && v <= s.maxValue)) {
        std::string msg = "value " + Json(v).dump() + " is out of range [";
        msg += (std::isinf(s.minValue) ? std::string("-inf") : Json(s.minValue).dump()) + ", ";
        msg += (std::isinf(s.maxValue) ? std::string("inf") : Json(s.maxValue).dump()) + "]";
        throw ConfigError(msg, {}, field(key));
    }
}

bool ParamReader::boolean(const std::string& key) const {
    const Json& v = value(key);
    if (!v.is_boolean())
        throw ConfigError(std::string("expected ") + typeName(ParamType::Bool), {}, field(key));
    return v.get<bool>();
}

int64_t ParamReader::integer(const std::string& key) const {
    const Json& v = value(key);
    if (!v.is_number() || !isInteger(v))
        throw ConfigError(std::string("expected ") + typeName(ParamType::Int) + ", got " + v.dump(),
                          {}, field(key));
    const auto i = int64_t(v.get<double>());
    checkRange(key, double(i));
    return i;
}

double ParamReader::number(const std::string& key) const {
    const Json& v = value(key);
    if (!v.is_number())
        throw ConfigError(std::string("expected ") + typeName(ParamType::Float) + ", got " +
                              v.dump(),
                          {}, field(key));
    const double d = v.get<double>();
    checkRange(key, d);
    return d;
}

std::string ParamReader::string(const std::string& key) const {
    const Json& v = value(key);
    if (!v.is_string())
        throw ConfigError(std::string("expected ") + typeName(ParamType::String) + ", got " +
                              v.dump(),
                          {}, field(key));
    std::string s = v.get<std::string>();
    const auto& choices = spec(key).choices;
    if (!choices.empty()) {
        bool ok = false;
        std::string all;
        for (const auto& c : choices) {
            ok = ok || c == s;
            all += (all.empty() ? "" : ", ") + c;
        }
        if (!ok)
            throw ConfigError("\"" + s + "\" is not one of: " + all, {}, field(key));
    }
    return s;
}

std::vector<int64_t> ParamReader::intList(const std::string& key) const {
    const Json& v = value(key);
    std::vector<int64_t> out;
    auto one = [&](const Json& e, const std::string& f) {
        if (!e.is_number() || !isInteger(e))
            throw ConfigError(std::string("expected an integer, got ") + e.dump(), {}, f);
        const auto i = int64_t(e.get<double>());
        const ParamSpec& s = spec(key);
        if (!(double(i) >= s.minValue && double(i) <= s.maxValue))
            throw ConfigError("value " + std::to_string(i) + " is out of range", {}, f);
        out.push_back(i);
    };
    if (v.is_array()) {
        for (size_t i = 0; i < v.size(); ++i)
            one(v[i], field(key) + "[" + std::to_string(i) + "]");
    } else if (v.is_number()) {
        one(v, field(key));
    } else {
        throw ConfigError(std::string("expected ") + typeName(ParamType::IntList) + ", got " +
                              v.dump(),
                          {}, field(key));
    }
    return out;
}

std::vector<double> ParamReader::numberList(const std::string& key) const {
    const Json& v = value(key);
    std::vector<double> out;
    auto one = [&](const Json& e, const std::string& f) {
        if (!e.is_number())
            throw ConfigError(std::string("expected a number, got ") + e.dump(), {}, f);
        out.push_back(e.get<double>());
    };
    if (v.is_array()) {
        for (size_t i = 0; i < v.size(); ++i)
            one(v[i], field(key) + "[" + std::to_string(i) + "]");
    } else if (v.is_number()) {
        one(v, field(key));
    } else if (!v.is_null()) {
        throw ConfigError(std::string("expected ") + typeName(ParamType::FloatList) + ", got " +
                              v.dump(),
                          {}, field(key));
    }
    return out;
}

std::vector<std::string> ParamReader::stringList(const std::string& key) const {
    const Json& v = value(key);
    std::vector<std::string> out;
    if (v.is_string())
        return {v.get<std::string>()};
    if (!v.is_array())
        throw ConfigError(std::string("expected ") + typeName(ParamType::StringList) + ", got " +
                              v.dump(),
                          {}, field(key));
    for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string())
            throw ConfigError("expected a string, got " + v[i].dump(), {},
                              field(key) + "[" + std::to_string(i) + "]");
        out.push_back(v[i].get<std::string>());
    }
    return out;
}

Json defaultsOf(const std::vector<ParamSpec>& specs) {
    Json out = Json::object();
    for (const auto& s : specs)
        out[s.name] = s.defaultValue;
    return out;
}

} // namespace medulla
