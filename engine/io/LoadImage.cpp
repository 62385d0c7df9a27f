#include "engine/io/LoadImage.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <map>

#include "engine/core/Error.h"

namespace medulla {

at::ScalarType parseDtype(const std::string& name, const std::string& field) {
    static const std::map<std::string, at::ScalarType> types = {
        {"float32", at::kFloat}, {"float", at::kFloat},  {"float64", at::kDouble},
        {"double", at::kDouble}, {"float16", at::kHalf}, {"int8", at::kChar},
        {"uint8", at::kByte},    {"int16", at::kShort},  {"int32", at::kInt},
        {"int64", at::kLong},    {"bool", at::kBool},    {"none", at::ScalarType::Undefined}};
    std::string n = name;
    for (const char* prefix : {"np.", "numpy.", "torch."})
        if (n.rfind(prefix, 0) == 0)
            n = n.substr(std::string(prefix).size());
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
    auto it = types.find(n);
    if (it == types.end())
        throw ConfigError("unknown dtype \"" + name +
                              "\" (float32, float64, float16, int8, uint8, int16, int32, int64, "
                              "bool, none)",
                          field);
    return it->second;
}

std::string dtypeName(at::ScalarType type) {
    switch (type) {
    case at::kBool:
        return "bool";
    case at::kChar:
        return "int8";
    case at::kByte:
        return "uint8";
    case at::kShort:
        return "int16";
    case at::kInt:
        return "int32";
    case at::kLong:
        return "int64";
    case at::kHalf:
        return "float16";
    case at::kFloat:
        return "float32";
    case at::kDouble:
        return "float64";
    default:
        return c10::toString(type);
    }
}

at::Tensor channelFirst(const at::Tensor& data, const ImageMeta& meta) {
    if (meta.originalChannelDim == ImageMeta::kNoChannel)
        return data.unsqueeze(0);
    const int64_t d = meta.originalChannelDim < 0 ? data.dim() + meta.originalChannelDim
                                                  : meta.originalChannelDim;
    return d == 0 ? data : data.movedim(d, 0).contiguous();
}

LoadedImage loadImageFile(const std::string& path, const LoadImageOptions& options) {
    auto& registry = ReaderRegistry::instance();
    auto reader =
        options.reader().empty() ? registry.select(path) : registry.byName(options.reader());
    LoadedImage img = reader->read(path, options.read_options());
    if (options.dtype() != at::ScalarType::Undefined && img.data.scalar_type() != options.dtype())
        img.data = img.data.to(options.dtype());
    if (options.ensure_channel_first()) // meta keeps the file's own channel axis
        img.data = channelFirst(img.data, img.meta);
    return img;
}

Volume loadVolume(const std::string& path, const LoadImageOptions& options) {
    LoadImageOptions o = options;
    o.ensure_channel_first(true);
    LoadedImage img = loadImageFile(path, o);
    if (img.data.dim() < 3 || img.data.dim() > 4)
        throw IoError("a " + std::to_string(img.data.dim() - 1) +
                          "-D image cannot become a 2D/3D volume",
                      path);
    return Volume(img.data, img.affine);
}

} // namespace medulla
