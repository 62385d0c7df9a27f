#include "engine/data/DecathlonDataset.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <utility>

#include "engine/core/Error.h"
#include "engine/data/Archive.h"
#include "engine/data/Datalist.h"
#include "engine/data/Download.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

/// Maps a sub-operation's [0, 1] onto [begin, end] of the caller's sink.
class ScaledProgress final : public ProgressSink {
public:
    ScaledProgress(ProgressSink& inner, double begin, double end)
        : inner_(inner), begin_(begin), end_(end) {}
    void progress(double fraction, const std::string& message) override {
        inner_.progress(fraction >= 1.0 ? end_ : begin_ + (end_ - begin_) * fraction, message);
    }

private:
    ProgressSink& inner_;
    double begin_, end_;
};

std::string text(const nlohmann::json& j, const char* key) {
    if (!j.contains(key))
        return {};
    return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

std::map<std::string, std::string> textMap(const nlohmann::json& j, const char* key) {
    std::map<std::string, std::string> out;
    if (j.contains(key) && j[key].is_object())
        for (auto it = j[key].begin(); it != j[key].end(); ++it)
            out[it.key()] =
                it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
    return out;
}

/// Extract `tar` (which holds `<task>/...` or the task's files at its top)
/// so that `dir` appears complete, or not at all.
void extractTask(const fs::path& tar, const fs::path& dir, const std::string& task,
                 ProgressSink& progress, const CancelToken* cancel) {
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_empty(dir, ec))
        throw IoError(dir.string() + " exists but holds no dataset.json; remove it to extract " +
                          tar.string() + " again",
                      dir.string());
    const fs::path staging = dir.parent_path() / (task + ".extracting");
    fs::remove_all(staging, ec); // left by a process that died between the two renames
    extractArchive(tar.string(), staging.string(), progress, cancel);
    try {
        fs::path inner;
        if (fs::is_regular_file(staging / task / "dataset.json", ec))
            inner = staging / task;
        else if (fs::is_regular_file(staging / "dataset.json", ec))
            inner = staging;
        else
            throw IoError("the archive holds no " + task + "/dataset.json", tar.string());
        fs::remove(dir, ec); // empty or absent (checked above)
        fs::rename(inner, dir, ec);
        if (ec)
            throw IoError("cannot move the extracted task to " + dir.string() + ": " + ec.message(),
                          tar.string());
        fs::remove_all(staging, ec);
    } catch (...) {
        fs::remove_all(staging, ec);
        throw;
    }
}

} // namespace

const std::vector<DecathlonTask>& decathlonTasks() {
    static const std::string base = "https://msd-for-monai.s3-us-west-2.amazonaws.com/";
    static const std::vector<DecathlonTask> tasks = [] {
        const std::pair<const char*, const char*> table[] = {
            {"Task01_BrainTumour", "240a19d752f0d9e9101544901065d872"},
            {"Task02_Heart", "06ee59366e1e5124267b774dbd654057"},
            {"Task03_Liver", "a90ec6c4aa7f6a3d087205e23d4e6397"},
            {"Task04_Hippocampus", "9d24dba78a72977dbd1d2e110310f31b"},
            {"Task05_Prostate", "35138f08b1efaef89d7424d2bcc928db"},
            {"Task06_Lung", "8afd997733c7fc0432f71255ba4e52dc"},
            {"Task07_Pancreas", "4f7080cfca169fa8066d17ce6eb061e4"},
            {"Task08_HepaticVessel", "641d79e80ec66453921d997fbf12a29c"},
            {"Task09_Spleen", "410d4a301da4e5b2f6f86ec3ddba524e"},
            {"Task10_Colon", "bad7a188931dc2f6acf72b08eb6202d0"},
        };
        std::vector<DecathlonTask> out;
        for (const auto& [name, md5] : table)
            out.push_back({name, base + name + ".tar", md5});
        return out;
    }();
    return tasks;
}

const DecathlonTask& findDecathlonTask(const std::string& name) {
    std::string valid;
    for (const auto& t : decathlonTasks()) {
        if (t.name == name)
            return t;
        valid += (valid.empty() ? "" : ", ") + t.name;
    }
    throw ConfigError("unknown Decathlon task \"" + name + "\"; valid tasks: " + valid, {}, "task");
}

std::vector<int64_t> decathlonSplit(int64_t n, double valFrac, uint64_t seed,
                                    const std::string& section) {
    if (section != "training" && section != "validation")
        throw ConfigError("must be \"training\" or \"validation\"", {}, "section");
    const SplitIndices idx = splitIndices(size_t(std::max<int64_t>(n, 0)), valFrac, seed);
    const auto& part = section == "validation" ? idx.validation : idx.train;
    return {part.begin(), part.end()};
}

DecathlonProperties loadDecathlonProperties(const std::string& datasetJson) {
    std::ifstream f(datasetJson);
    if (!f)
        throw IoError("cannot open the dataset description", datasetJson);
    nlohmann::json j;
    try {
        f >> j;
    } catch (const nlohmann::json::exception& e) {
        throw IoError(std::string("not valid JSON: ") + e.what(), datasetJson);
    }
    if (!j.is_object())
        throw IoError("expected a JSON object", datasetJson);
    DecathlonProperties p;
    p.name = text(j, "name");
    p.description = text(j, "description");
    p.reference = text(j, "reference");
    p.licence = text(j, "licence");
    p.tensorImageSize = text(j, "tensorImageSize");
    p.modality = textMap(j, "modality");
    p.labels = textMap(j, "labels");
    if (j.contains("numTraining") && j["numTraining"].is_number_integer())
        p.numTraining = j["numTraining"].get<int64_t>();
    if (j.contains("numTest") && j["numTest"].is_number_integer())
        p.numTest = j["numTest"].get<int64_t>();
    return p;
}

DecathlonDataset::DecathlonDataset(const DecathlonDatasetOptions& o, ProgressSink& progress,
                                   const CancelToken* cancel) {
    const DecathlonTask& task = findDecathlonTask(o.task());
    if (o.section() != "training" && o.section() != "validation" && o.section() != "test")
        throw ConfigError("must be \"training\", \"validation\" or \"test\", got \"" + o.section() +
                              "\"",
                          {}, "section");
    if (!(o.val_frac() >= 0.0 && o.val_frac() <= 1.0))
        throw ConfigError("must be in [0, 1], got " + std::to_string(o.val_frac()), {}, "val_frac");
    const std::string url = o.url_override().empty() ? task.url : o.url_override();
    const std::string md5 = !o.md5_override().empty()  ? o.md5_override()
                            : o.url_override().empty() ? task.md5
                                                       : std::string();
    const fs::path root(o.root_dir());
    const fs::path dir = root / task.name;
    const fs::path json = dir / "dataset.json";
    directory_ = dir.string();
    std::error_code ec;

    if (o.download() && !fs::is_regular_file(json, ec)) {
        fs::create_directories(root, ec);
        if (ec)
            throw IoError("cannot create the folder: " + ec.message(), root.string());
        const fs::path tar = root / (task.name + ".tar");
        ScaledProgress downloading(progress, 0.0, 0.8);
        downloadFile(DownloadOptions().url(url).destination(tar.string()).md5(md5), downloading,
                     cancel);
        ScaledProgress extracting(progress, 0.8, 1.0);
        extractTask(tar, dir, task.name, extracting, cancel);
    }
    if (!fs::is_directory(dir, ec))
        throw IoError("the " + task.name + " folder " + dir.string() +
                          " does not exist; enable download (download=true, or --download on "
                          "the command line) to fetch it from " +
                          url,
                      dir.string(), "download");

    properties_ = loadDecathlonProperties(json.string());
    std::vector<Sample> all =
        loadDecathlonDatalist(json.string(), o.section() == "test" ? "test" : "training");
    if (o.section() == "test") {
        for (size_t i = 0; i < all.size(); ++i)
            indices_.push_back(int64_t(i));
        items_ = std::move(all);
        return;
    }
    indices_ = decathlonSplit(int64_t(all.size()), o.val_frac(), o.seed(), o.section());
    items_.reserve(indices_.size());
    for (int64_t i : indices_)
        items_.push_back(all[size_t(i)]);
}

} // namespace medulla
