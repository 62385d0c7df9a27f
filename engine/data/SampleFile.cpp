#include "engine/data/SampleFile.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"

namespace medulla {

namespace {

using Json = nlohmann::json;
constexpr char kMagic[] = "MEDULLA-SAMPLE 1\n";
constexpr size_t kMagicLength = sizeof(kMagic) - 1;

const std::vector<std::pair<std::string, at::ScalarType>>& dtypes() {
    static const std::vector<std::pair<std::string, at::ScalarType>> t = {
        {"float32", at::kFloat},     {"float64", at::kDouble}, {"float16", at::kHalf},
        {"bfloat16", at::kBFloat16}, {"uint8", at::kByte},     {"int8", at::kChar},
        {"int16", at::kShort},       {"int32", at::kInt},      {"int64", at::kLong},
        {"bool", at::kBool}};
    return t;
}

std::string dtypeName(at::ScalarType s) {
    for (const auto& d : dtypes())
        if (d.second == s)
            return d.first;
    throw ShapeError(std::string("cannot store dtype ") + c10::toString(s));
}

at::ScalarType dtypeOf(const std::string& name) {
    for (const auto& d : dtypes())
        if (d.first == name)
            return d.second;
    throw std::invalid_argument("unknown dtype " + name);
}

Json affineJson(const Affine& a) {
    Json j = Json::array();
    for (const auto& row : a.rows())
        for (double v : row)
            j.push_back(v);
    return j;
}

Affine affineOf(const Json& j) {
    std::array<std::array<double, 4>, 4> m{};
    if (j.size() != 16)
        throw std::invalid_argument("an affine needs 16 numbers");
    for (int k = 0; k < 16; ++k)
        m[size_t(k / 4)][size_t(k % 4)] = j.at(size_t(k)).get<double>();
    return Affine(m);
}

Json metaJson(const ImageMeta& m) {
    return {{"filenames", m.filenames},
            {"reader", m.reader},
            {"original_affine", affineJson(m.originalAffine)},
            {"spatial_shape", m.spatialShape},
            {"original_channel_dim", m.originalChannelDim},
            {"source_dtype", m.sourceDtype},
            {"tags", m.tags},
            {"warnings", m.warnings}};
}

ImageMeta metaOf(const Json& j) {
    ImageMeta m;
    m.filenames = j.at("filenames").get<std::vector<std::string>>();
    m.reader = j.at("reader").get<std::string>();
    m.originalAffine = affineOf(j.at("original_affine"));
    m.spatialShape = j.at("spatial_shape").get<std::vector<int64_t>>();
    m.originalChannelDim = j.at("original_channel_dim").get<int>();
    m.sourceDtype = j.at("source_dtype").get<std::string>();
    m.tags = j.at("tags").get<std::map<std::string, std::string>>();
    m.warnings = j.at("warnings").get<std::vector<std::string>>();
    return m;
}

} // namespace

void writeSampleFile(const Sample& sample, const std::string& path, const std::string& tag) {
    Json header = {{"tag", tag}, {"paths", sample.paths}, {"fields", sample.fields}};
    header["volumes"] = Json::array();
    std::vector<at::Tensor> blobs;
    for (const auto& kv : sample.volumes) {
        at::Tensor t = kv.second.data().to(at::kCPU).contiguous();
        header["volumes"].push_back({{"key", kv.first},
                                     {"dtype", dtypeName(t.scalar_type())},
                                     {"shape", t.sizes().vec()},
                                     {"affine", affineJson(kv.second.affine())}});
        blobs.push_back(t);
    }
    header["meta"] = Json::object();
    for (const auto& kv : sample.meta)
        header["meta"][kv.first] = metaJson(kv.second);
    header["applied"] = Json::object();
    for (const auto& kv : sample.applied)
        for (const auto& a : kv.second)
            header["applied"][kv.first].push_back(
                {{"name", a.name}, {"shape", a.shape}, {"affine", affineJson(a.affine)}});
    const std::string text = header.dump();
    writeAtomically(path, [&](const std::string& tmp) {
        std::ofstream f(tmp, std::ios::binary);
        const uint64_t n = text.size();
        f.write(kMagic, std::streamsize(kMagicLength));
        f.write(reinterpret_cast<const char*>(&n), sizeof n);
        f.write(text.data(), std::streamsize(n));
        for (const auto& t : blobs)
            f.write(static_cast<const char*>(t.data_ptr()), std::streamsize(t.nbytes()));
        f.close();
        if (!f)
            throw IoError("write failed (disk full?)", tmp);
    });
}

Sample readSampleFile(const std::string& path, std::string* tag) {
    std::ifstream f(path, std::ios::binary);
    if (!f)
        throw IoError("cannot open the cached sample", path);
    char magic[kMagicLength];
    uint64_t n = 0;
    if (!f.read(magic, kMagicLength) || std::memcmp(magic, kMagic, kMagicLength) != 0)
        throw IoError("not a Medulla sample file", path);
    if (!f.read(reinterpret_cast<char*>(&n), sizeof n) || n > (uint64_t(1) << 30))
        throw IoError("truncated or corrupt sample file (header length)", path);
    std::string text(size_t(n), '\0');
    if (!f.read(text.data(), std::streamsize(n)))
        throw IoError("truncated sample file (header)", path);
    Sample s;
    try {
        const Json h = Json::parse(text);
        if (tag)
            *tag = h.at("tag").get<std::string>();
        s.paths = h.at("paths").get<std::map<std::string, std::string>>();
        s.fields = h.at("fields").get<std::map<std::string, std::string>>();
        for (const auto& v : h.at("volumes")) {
            at::Tensor t = at::empty(v.at("shape").get<std::vector<int64_t>>(),
                                     at::TensorOptions().dtype(dtypeOf(v.at("dtype"))));
            if (!f.read(static_cast<char*>(t.data_ptr()), std::streamsize(t.nbytes())))
                throw IoError("truncated sample file (data of \"" + v.at("key").get<std::string>() +
                                  "\")",
                              path);
            s.volumes[v.at("key").get<std::string>()] = Volume(t, affineOf(v.at("affine")));
        }
        for (auto it = h.at("meta").begin(); it != h.at("meta").end(); ++it)
            s.meta[it.key()] = metaOf(it.value());
        for (auto it = h.at("applied").begin(); it != h.at("applied").end(); ++it)
            for (const auto& a : it.value())
                s.applied[it.key()].push_back({a.at("name").get<std::string>(),
                                               a.at("shape").get<std::vector<int64_t>>(),
                                               affineOf(a.at("affine"))});
    } catch (const IoError&) {
        throw;
    } catch (const std::exception& e) { // JSON or dtype errors: a corrupt header
        throw IoError(std::string("corrupt sample file header: ") + e.what(), path);
    }
    if (f.peek() != std::char_traits<char>::eof())
        throw IoError("sample file has trailing bytes (corrupt)", path);
    return s;
}

} // namespace medulla
