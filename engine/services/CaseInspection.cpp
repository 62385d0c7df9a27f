#include "engine/services/CaseInspection.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/data/Datalist.h"
#include "engine/data/NumpyRandom.h"
#include "engine/data/SyntheticData.h"
#include "engine/io/LoadImage.h"
#include "engine/io/NiftiHeader.h"
#include "engine/training/Experiment.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

std::string shapeText(const std::vector<int64_t>& s) {
    std::string t;
    for (auto v : s)
        t += (t.empty() ? "" : "x") + std::to_string(v);
    return t;
}

std::string stem(const std::string& path) {
    std::string n = fs::path(path).filename().string();
    for (const char* ext : {".nii.gz", ".nii", ".hdr", ".mha", ".mhd", ".nrrd", ".png", ".npy"})
        if (n.size() > std::strlen(ext) &&
            n.compare(n.size() - std::strlen(ext), std::strlen(ext), ext) == 0)
            return n.substr(0, n.size() - std::strlen(ext));
    return fs::path(n).stem().string();
}

bool isNiftiName(const std::string& path) {
    const std::string n = fs::path(path).filename().string();
    auto ends = [&](const std::string& s) {
        return n.size() >= s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0;
    };
    return ends(".nii") || ends(".nii.gz") || ends(".hdr");
}

struct Geometry {
    std::vector<int64_t> shape; ///< spatial
    Affine affine;
};

Geometry readGeometry(const std::string& path) {
    Geometry g;
    if (isNiftiName(path)) {
        const NiftiHeader h = readNiftiHeader(path);
        g.shape.assign(h.shape.begin(), h.shape.begin() + std::min<size_t>(3, h.shape.size()));
        g.affine = h.affine;
    } else {
        const LoadedImage img =
            loadImageFile(path, LoadImageOptions().dtype(at::ScalarType::Undefined));
        g.shape = img.meta.spatialShape;
        g.affine = img.affine;
    }
    return g;
}

/// Entries of `key` as cases (paths resolved like loadDecathlonDatalist,
/// but missing files are a status, not an error).
std::vector<CaseInfo> readSection(const Json& j, const std::string& key, const fs::path& base,
                                  const std::string& file) {
    if (!j.contains(key) || !j[key].is_array())
        throw ConfigError("no list named \"" + key + "\"", file, key);
    std::vector<CaseInfo> out;
    const Json& list = j[key];
    for (size_t i = 0; i < list.size(); ++i) {
        const Json& e = list[i];
        const std::string field = key + "[" + std::to_string(i) + "]";
        CaseInfo c;
        auto resolve = [&](const std::string& v) { return (base / v).lexically_normal().string(); };
        if (e.is_string()) {
            c.image = resolve(e.get<std::string>());
        } else if (e.is_object() && e.contains("image") && e["image"].is_string()) {
            c.image = resolve(e["image"].get<std::string>());
            if (e.contains("label") && e["label"].is_string())
                c.label = resolve(e["label"].get<std::string>());
            if (e.contains("fold") && e["fold"].is_number_integer())
                c.fold = e["fold"].get<int>();
        } else {
            throw ConfigError("expected an object with an \"image\" path or a path", file, field);
        }
        c.name = stem(c.image);
        out.push_back(std::move(c));
    }
    return out;
}

void inspectOne(CaseInfo& c) {
    std::error_code ec;
    if (!fs::exists(c.image, ec)) {
        c.status = "image missing";
        return;
    }
    Geometry img;
    try {
        img = readGeometry(c.image);
    } catch (const std::exception& e) {
        c.status = std::string("unreadable: ") + e.what();
        return;
    }
    c.imageShape = img.shape;
    const Vec3 sp = img.affine.spacing();
    c.spacing = {sp[0], sp[1], sp[2]};
    if (c.label.empty()) {
        c.status = "no label";
        c.usable = true;
        return;
    }
    if (!fs::exists(c.label, ec)) {
        c.status = "missing";
        return;
    }
    Geometry lab;
    try {
        lab = readGeometry(c.label);
    } catch (const std::exception& e) {
        c.status = std::string("unreadable: ") + e.what();
        return;
    }
    c.labelShape = lab.shape;
    c.usable = true;
    if (img.shape != lab.shape)
        c.status = "shape mismatch " + shapeText(img.shape) + " vs " + shapeText(lab.shape);
    else if (img.affine.maxAbsDiff(lab.affine) > 1e-3)
        c.status = "affine mismatch";
    else
        c.status = "ok";
}

std::string relativeTo(const std::string& path, const fs::path& dir) {
    const fs::path abs = fs::absolute(path).lexically_normal();
    const fs::path rel = abs.lexically_relative(fs::absolute(dir).lexically_normal());
    return rel.empty() ? abs.string() : rel.string();
}

} // namespace

CaseList inspectCases(const Json& data, uint64_t seed, ProgressSink* progress,
                      const CancelToken* cancel) {
    if (!data.is_object() || !data.contains("dataset") || !data["dataset"].is_string())
        throw ConfigError("required string is missing", {}, "data.dataset");
    CaseList out;
    out.datasetJson = data["dataset"].get<std::string>();
    const std::string datalistKey = data.value("datalist_key", std::string("training"));
    const std::string validationKey = data.value("validation_key", std::string());
    const double valFraction = data.value("val_fraction", 0.2);
    std::error_code ec;
    if (!fs::exists(out.datasetJson, ec) && data.contains("synthetic")) {
        out.needsGeneration = true;
        return out;
    }
    const Json j = readDatalistJson(out.datasetJson);
    if (!j.is_object())
        throw ConfigError("a datalist must be a JSON object", out.datasetJson);
    const fs::path base = fs::path(out.datasetJson).parent_path();
    out.cases = readSection(j, datalistKey, base, out.datasetJson);
    if (validationKey.empty()) {
        const SplitIndices idx = splitIndices(out.cases.size(), valFraction, seed);
        for (size_t i : idx.validation)
            out.cases[i].validation = true;
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", valFraction);
        out.splitSource = std::string("val_fraction ") + buf + " of \"" + datalistKey +
                          "\" (seed " + std::to_string(seed) + ")";
    } else {
        auto val = readSection(j, validationKey, base, out.datasetJson);
        for (auto& c : val) {
            c.validation = true;
            out.cases.push_back(std::move(c));
        }
        out.splitSource = "validation_key \"" + validationKey + "\"";
        // Cases a hand-made split left out (see writeSplitDatalist): shown
        // again with the split they were given.
        if (j.contains("excluded") && j["excluded"].is_array()) {
            auto left = readSection(j, "excluded", base, out.datasetJson);
            for (size_t i = 0; i < left.size(); ++i) {
                const Json& e = j["excluded"][i];
                left[i].validation =
                    e.is_object() && e.value("split", std::string()) == "validation";
                out.cases.push_back(std::move(left[i]));
            }
        }
    }
    for (size_t i = 0; i < out.cases.size(); ++i) {
        if (cancel)
            cancel->throwIfCancelled();
        if (progress)
            progress->progress(double(i) / double(out.cases.size()),
                               "reading case " + std::to_string(i + 1) + "/" +
                                   std::to_string(out.cases.size()));
        inspectOne(out.cases[i]);
    }
    if (progress)
        progress->progress(1.0, "read " + std::to_string(out.cases.size()) + " cases");
    return out;
}

void generateSyntheticDataset(const Json& data, ProgressSink* progress, const CancelToken* cancel) {
    if (!data.is_object() || !data.contains("dataset") || !data["dataset"].is_string())
        throw ConfigError("required string is missing", {}, "data.dataset");
    if (!data.contains("synthetic"))
        throw ConfigError("no synthetic generator options", {}, "data.synthetic");
    NullProgress none;
    writeSyntheticDataset(fs::path(data["dataset"].get<std::string>()).parent_path().string(),
                          syntheticOptionsFromJson(data["synthetic"]), progress ? *progress : none,
                          cancel);
}

std::string splitDatalistPath(const std::string& datasetJson, const std::string& experimentName) {
    std::string name = experimentName.empty() ? "experiment" : experimentName;
    for (char& ch : name)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.'))
            ch = '_';
    return (fs::path(datasetJson).parent_path() / (name + "_split.json")).string();
}

int writeSplitDatalist(const std::string& path, const std::vector<CaseInfo>& cases) {
    const fs::path dir =
        fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
    Json training = Json::array(), validation = Json::array(), excluded = Json::array();
    int left = 0;
    for (const auto& c : cases) {
        Json e = {{"image", relativeTo(c.image, dir)}};
        if (!c.label.empty())
            e["label"] = relativeTo(c.label, dir);
        if (c.fold >= 0)
            e["fold"] = c.fold;
        if (!c.usable) {
            ++left;
            e["split"] = c.validation ? "validation" : "training";
            e["problem"] = c.status;
            excluded.push_back(std::move(e));
            continue;
        }
        (c.validation ? validation : training).push_back(std::move(e));
    }
    Json j = {{"description", "training/validation split made in Medulla Studio"},
              {"numTraining", training.size()},
              {"training", training},
              {"validation", validation}};
    if (!excluded.empty())
        j["excluded"] = excluded;
    writeTextAtomically(path, j.dump(2) + "\n");
    return left;
}

Json splitDataSection(const Json& data, const std::string& splitFile) {
    Json d = data.is_object() ? data : Json::object();
    d["dataset"] = splitFile;
    d["datalist_key"] = "training";
    d["validation_key"] = "validation";
    d.erase("synthetic");
    return d;
}

std::vector<bool> randomValidation(size_t n, double fraction, uint64_t seed) {
    std::vector<bool> v(n, false);
    for (size_t i : splitIndices(n, fraction, seed).validation)
        v[i] = true;
    return v;
}

std::vector<int> randomFolds(size_t n, int k, uint64_t seed) {
    if (k < 2)
        throw ConfigError("needs at least 2 folds", {}, "folds");
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t(0));
    NumpyRandomState(seed).shuffle(order);
    std::vector<int> folds(n, 0);
    for (size_t pos = 0; pos < n; ++pos)
        folds[order[pos]] = int(pos % size_t(k));
    return folds;
}

TrainerCases trainerCases(const Json& experiment) {
    const ExperimentConfig cfg = ExperimentConfig::fromJson(experiment);
    // the trainer's own split (Trainer::run)
    const DatalistSplit split = experimentSplit(cfg.dataset, cfg.datalistKey, cfg.validationKey,
                                                cfg.valFraction, cfg.trainer.seed);
    TrainerCases out;
    for (const auto& s : split.train)
        out.train.push_back(s.paths.at("image"));
    for (const auto& s : split.validation)
        out.validation.push_back(s.paths.at("image"));
    return out;
}

} // namespace medulla
