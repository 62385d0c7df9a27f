#include "engine/networks/NetworkParams.h"

namespace medulla {

ParamSpec layerParam(const std::string& name, Json defaultValue, const std::string& help) {
    // null would mean "required" to ParamReader; "none" reads as no layer.
    if (defaultValue.is_null())
        defaultValue = "none";
    return {name, ParamType::Object, std::move(defaultValue), 0, 0, {}, help};
}

LayerSpec readLayer(const ParamReader& r, const std::string& key) {
    return LayerSpec::parse(r.raw(key), r.field(key));
}

ParamSpec dropoutParam(Json defaultValue) {
    return layerParam("dropout", std::move(defaultValue),
                      "dropout: a probability, [\"dropout\", {\"p\": 0.1}] or null");
}

ParamSpec spatialDimsParam(int64_t def) {
    return {"spatial_dims", ParamType::Int, def, 1, 3, {}, "number of spatial dimensions"};
}

ParamSpec channelsParam(const std::string& name, int64_t def, const std::string& help) {
    return {name, ParamType::Int, def, 1, 1e6, {}, help};
}

void addPretrainedParams(std::vector<ParamSpec>& params) {
    params.push_back({"pretrained",
                      ParamType::Bool,
                      false,
                      0,
                      1,
                      {},
                      "MONAI's ImageNet weights (not available here: must be false)"});
    params.push_back({"progress", ParamType::Bool, true, 0, 1, {}, "download progress (unused)"});
}

void rejectPretrained(const ParamReader& r, const std::string& network) {
    if (r.boolean("pretrained"))
        throw ConfigError("MONAI's pretrained " + network +
                              " weights cannot be downloaded here; load a state dict instead "
                              "(medulla weights import)",
                          {}, r.field("pretrained"));
    r.boolean("progress");
}

void checkChannelsAndStrides(const std::vector<int64_t>& channels,
                             const std::vector<int64_t>& strides) {
    if (channels.empty())
        throw ConfigError("needs at least one block", {}, "network.channels");
    checkAllPositive(channels, "network.channels");
    if (strides.size() != channels.size())
        throw ConfigError("needs one value per channel entry (" + std::to_string(channels.size()) +
                              "), got " + std::to_string(strides.size()),
                          {}, "network.strides");
    checkAllPositive(strides, "network.strides");
}

Json oneOrList(const std::vector<int64_t>& v) {
    return v.size() == 1 ? Json(v[0]) : Json(v);
}

void checkPositive(int64_t v, const std::string& field) {
    if (v < 1)
        throw ConfigError("must be >= 1, got " + std::to_string(v), {}, field);
}

void checkAllPositive(const std::vector<int64_t>& v, const std::string& field) {
    for (auto x : v)
        if (x < 1)
            throw ConfigError("every value must be >= 1", {}, field);
}

void checkOddKernel(const std::vector<int64_t>& kernel, const std::string& field) {
    for (auto k : kernel)
        if (k % 2 == 0)
            throw ConfigError("same padding needs an odd kernel (got " + std::to_string(k) + ")",
                              {}, field);
}

int64_t product(const std::vector<int64_t>& v) {
    int64_t p = 1;
    for (auto x : v)
        p *= x;
    return p;
}

} // namespace medulla
