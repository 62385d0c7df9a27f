#include "app/cli/ScoreCommand.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "engine/core/Error.h"
#include "engine/io/LoadImage.h"
#include "engine/metrics/CaseScorer.h"

namespace medulla::cli {

namespace fs = std::filesystem;

namespace {

bool isImageFile(const fs::path& p) {
    static const std::vector<std::string> suffixes = {".nii", ".nii.gz", ".nrrd", ".mha", ".mhd",
                                                      ".npy", ".png",    ".tif",  ".tiff"};
    const std::string name = p.filename().string();
    for (const auto& s : suffixes)
        if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0)
            return true;
    return false;
}

/// (case id, prediction file, label file), sorted by id.
std::vector<std::array<std::string, 3>> pairFiles(const std::string& pred,
                                                  const std::string& label) {
    if (!fs::exists(pred))
        throw IoError("not found", pred);
    if (!fs::exists(label))
        throw IoError("not found", label);
    if (fs::is_directory(pred) != fs::is_directory(label))
        throw ConfigError("--pred and --label must both be files or both be folders", {}, "pred");
    if (!fs::is_directory(label))
        return {{fs::path(label).filename().string(), pred, label}};
    std::map<std::string, std::string> preds;
    for (const auto& e : fs::directory_iterator(pred))
        if (e.is_regular_file() && isImageFile(e.path()))
            preds[e.path().filename().string()] = e.path().string();
    std::vector<std::array<std::string, 3>> out;
    std::vector<std::string> missing;
    for (const auto& e : fs::directory_iterator(label)) {
        if (!e.is_regular_file() || !isImageFile(e.path()))
            continue;
        const std::string name = e.path().filename().string();
        auto it = preds.find(name);
        if (it == preds.end())
            missing.push_back(name);
        else
            out.push_back({name, it->second, e.path().string()});
    }
    if (!missing.empty()) {
        std::sort(missing.begin(), missing.end());
        std::string list;
        for (size_t i = 0; i < missing.size() && i < 5; ++i)
            list += (i ? ", " : "") + missing[i];
        throw IoError(std::to_string(missing.size()) +
                          " label file(s) without a prediction of "
                          "the same name: " +
                          list + (missing.size() > 5 ? ", ..." : ""),
                      pred);
    }
    if (out.empty())
        throw IoError("no image files found", label);
    std::sort(out.begin(), out.end());
    return out;
}

/// Spatial label map (channel 0 rounded to integers) and its volume.
Volume loadLabels(const std::string& path) {
    Volume v = loadVolume(path, LoadImageOptions().ensure_channel_first(true));
    if (v.channels() != 1)
        throw ShapeError(
            "expected a label map with one channel, got " + std::to_string(v.channels()), path);
    return v;
}

void checkSameGeometry(const Volume& p, const Volume& l, const std::string& predFile,
                       const std::string& labelFile) {
    if (p.spatialShape() != l.spatialShape())
        throw ShapeError("prediction size " + c10::str(p.spatialShape()) +
                             " differs from the label's " + c10::str(l.spatialShape()) + " (" +
                             labelFile + ")",
                         predFile);
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 4; ++c)
            if (std::fabs(p.affine()(r, c) - l.affine()(r, c)) > 1e-3)
                throw ShapeError("prediction geometry (spacing, origin or direction) differs "
                                 "from the label's (" +
                                     labelFile + "); resample it to the label's grid first",
                                 predFile);
}

std::string formatValue(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    return buf;
}

} // namespace

int runScore(const ScoreArgs& args) {
    const auto pairs = pairFiles(args.pred, args.label);
    struct Loaded {
        std::string id;
        at::Tensor pred, label;
        std::vector<double> spacing;
    };
    std::vector<Loaded> cases;
    int64_t maxLabel = 0;
    for (size_t i = 0; i < pairs.size(); ++i) {
        const auto& [id, predFile, labelFile] = pairs[i];
        std::fprintf(stderr, "\r[%zu/%zu] reading %s", i + 1, pairs.size(), id.c_str());
        const Volume p = loadLabels(predFile), l = loadLabels(labelFile);
        checkSameGeometry(p, l, predFile, labelFile);
        Loaded c{
            id, p.data()[0].round().to(torch::kLong), l.data()[0].round().to(torch::kLong), {}};
        const Vec3 s = l.spacing();
        c.spacing.assign(s.begin(), s.begin() + l.spatialDims());
        maxLabel =
            std::max({maxLabel, c.pred.max().item<int64_t>(), c.label.max().item<int64_t>()});
        cases.push_back(std::move(c));
    }
    CaseScorerOptions o;
    o.scores = args.scores;
    o.num_classes = args.classes > 0 ? args.classes : std::max<int64_t>(2, maxLabel + 1);
    o.include_background = args.includeBackground;
    o.nsd_tolerance = args.nsdTolerance;
    CaseScorer scorer(o);
    for (size_t i = 0; i < cases.size(); ++i) {
        std::fprintf(stderr, "\r[%zu/%zu] scoring %s   ", i + 1, cases.size(), cases[i].id.c_str());
        scorer.add(cases[i].id, cases[i].pred, cases[i].label, cases[i].spacing);
    }
    std::fprintf(stderr, "\n");
    const MetricTable t = scorer.table();
    std::printf("case");
    for (const auto& c : t.columns)
        std::printf("\t%s", c.c_str());
    std::printf("\n");
    for (size_t i = 0; i < t.caseIds.size(); ++i) {
        std::printf("%s", t.caseIds[i].c_str());
        for (double v : t.rows[i])
            std::printf("\t%s", formatValue(v).c_str());
        std::printf("\n");
    }
    std::printf("mean over %lld cases (NaN excluded):", static_cast<long long>(scorer.cases()));
    for (const auto& [name, value] : scorer.summary())
        std::printf("  %s %s", name.c_str(), formatValue(value).c_str());
    std::printf("\n");
    if (!args.csv.empty()) {
        t.writeCsv(args.csv);
        std::printf("wrote %s\n", args.csv.c_str());
    }
    return 0;
}

} // namespace medulla::cli
