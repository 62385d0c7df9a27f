#include "engine/training/PrepareBatch.h"

#include <ATen/ATen.h>

#include <filesystem>

#include "engine/core/Error.h"
#include "engine/data/Dataset.h"
#include "engine/networks/MemoryFormat.h"

namespace medulla {
namespace {

/// A datalist field's JSON text without the quotes of a string ("\"a\"" -> "a").
std::string unquote(const std::string& text) {
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
        return text.substr(1, text.size() - 2);
    return text;
}

} // namespace

PreparedBatch prepareBatch(const Batch& batch, const std::string& imageKey,
                           const std::string& labelKey, c10::Device device, bool channelsLast,
                           const std::string& field) {
    for (const std::string& key : {imageKey, labelKey}) {
        if (batch.count(key))
            continue;
        std::string have;
        for (const auto& kv : batch.tensors)
            have += (have.empty() ? "" : ", ") + kv.first;
        throw ConfigError("the batches must hold \"" + imageKey + "\" and \"" + labelKey +
                              "\"; this one holds: " + (have.empty() ? "nothing" : have),
                          batch.records.empty() ? std::string()
                                                : Dataset::describe(batch.records.front()),
                          field);
    }
    PreparedBatch p;
    p.input = batch[imageKey].to(device, at::kFloat);
    if (channelsLast)
        p.input = medulla::channelsLast(p.input);
    p.target = batch[labelKey].to(device, at::kFloat);
    return p;
}

std::vector<std::string> caseIds(const Batch& batch, const std::string& imageKey) {
    std::vector<std::string> ids;
    ids.reserve(batch.records.size());
    for (size_t i = 0; i < batch.records.size(); ++i) {
        const Sample& r = batch.records[i];
        std::string id;
        for (const char* f : {"id", "case_id"})
            if (id.empty() && r.fields.count(f))
                id = unquote(r.fields.at(f));
        if (id.empty()) {
            const std::string path = r.paths.count(imageKey) ? r.paths.at(imageKey)
                                     : r.paths.empty()       ? std::string()
                                                             : r.paths.begin()->second;
            id = std::filesystem::path(path).filename().string();
        }
        if (id.empty())
            id = "item " + std::to_string(i < batch.itemIndex.size() ? batch.itemIndex[i] : i);
        ids.push_back(id);
    }
    return ids;
}

std::vector<std::vector<double>> rowSpacing(const Batch& batch, const std::string& key,
                                            int64_t spatialDims) {
    std::vector<std::vector<double>> out;
    auto it = batch.affines.find(key);
    if (it == batch.affines.end())
        return out;
    for (const Affine& a : it->second) {
        const Vec3 s = a.spacing();
        out.emplace_back(s.begin(), s.begin() + std::min<int64_t>(spatialDims, 3));
    }
    return out;
}

} // namespace medulla
