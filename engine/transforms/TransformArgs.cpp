#include "engine/transforms/TransformArgs.h"

#include <algorithm>
#include <map>

#include "engine/core/Error.h"

namespace medulla {

std::pair<double, double> symmetricRange(const std::vector<double>& values,
                                         const std::string& field) {
    if (values.size() == 1)
        return {std::min(-values[0], values[0]), std::max(-values[0], values[0])};
    if (values.size() == 2)
        return {std::min(values[0], values[1]), std::max(values[0], values[1])};
    throw ConfigError("expected a number or a pair of numbers, got " +
                          std::to_string(values.size()) + " values",
                      {}, field);
}

std::vector<std::string> repeatPerKey(const std::vector<std::string>& values, size_t n,
                                      const std::string& fallback, const std::string& field) {
    if (values.empty())
        return std::vector<std::string>(n, fallback);
    if (values.size() == 1)
        return std::vector<std::string>(n, values[0]);
    if (values.size() == n)
        return values;
    throw ConfigError("expected one value or one per key (" + std::to_string(n) + "), got " +
                          std::to_string(values.size()),
                      {}, field);
}

std::optional<at::ScalarType> parseDtypeName(const std::string& name, const std::string& field) {
    static const std::map<std::string, at::ScalarType> types = {
        {"float32", at::kFloat}, {"float", at::kFloat},      {"float64", at::kDouble},
        {"double", at::kDouble}, {"float16", at::kHalf},     {"half", at::kHalf},
        {"int8", at::kChar},     {"uint8", at::kByte},       {"int16", at::kShort},
        {"short", at::kShort},   {"int32", at::kInt},        {"int", at::kInt},
        {"int64", at::kLong},    {"long", at::kLong},        {"bool", at::kBool},
        {"bool_", at::kBool},    {"bfloat16", at::kBFloat16}};
    std::string n = name;
    for (const char* prefix : {"$", "np.", "numpy.", "torch."})
        if (n.rfind(prefix, 0) == 0)
            n = n.substr(std::string(prefix).size());
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
    if (n.empty() || n == "none")
        return std::nullopt;
    auto it = types.find(n);
    if (it == types.end())
        throw ConfigError("unknown dtype \"" + name +
                              "\" (float32, float64, float16, bfloat16, int8, uint8, int16, int32, "
                              "int64, bool)",
                          {}, field);
    return it->second;
}

std::string dtypeToName(at::ScalarType type) {
    switch (type) {
    case at::kFloat:
        return "float32";
    case at::kDouble:
        return "float64";
    case at::kHalf:
        return "float16";
    case at::kBFloat16:
        return "bfloat16";
    case at::kByte:
        return "uint8";
    case at::kChar:
        return "int8";
    case at::kShort:
        return "int16";
    case at::kInt:
        return "int32";
    case at::kLong:
        return "int64";
    case at::kBool:
        return "bool";
    default:
        return c10::toString(type);
    }
}

std::optional<c10::Device> parseDeviceName(const std::string& name, const std::string& field) {
    if (name.empty() || name == "none")
        return std::nullopt;
    try {
        return c10::Device(name);
    } catch (const std::exception&) {
        throw ConfigError("unknown device \"" + name + "\" (cpu, cuda, cuda:N)", {}, field);
    }
}

std::vector<std::string> presentKeys(const Sample& sample, const std::vector<std::string>& keys,
                                     bool allowMissing, const std::string& transform) {
    std::vector<std::string> out;
    for (const auto& k : keys) {
        if (sample.has(k))
            out.push_back(k);
        else if (!allowMissing)
            throw ShapeError("sample has no volume named \"" + k + "\"", {}, transform + ".keys");
    }
    return out;
}

} // namespace medulla

namespace medulla {

at::Tensor convertTensor(const at::Tensor& x, std::optional<at::ScalarType> dtype,
                         std::optional<c10::Device> device, const std::string& field) {
    at::Tensor out = x;
    if (device && out.device() != *device) {
        try {
            out = out.to(*device);
        } catch (const std::exception& e) {
            throw Error("cannot move the data to " + device->str() +
                            " (is that device available to this build?)",
                        {}, field);
        }
    }
    return dtype ? out.to(*dtype) : out;
}

} // namespace medulla
