#include "engine/services/StudyBrowsing.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "engine/core/Error.h"
#include "engine/io/LoadImage.h"
#include "engine/io/NiftiHeader.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

bool isNifti(const fs::path& p) {
    std::string n = p.filename().string();
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
    auto ends = [&](const std::string& s) {
        return n.size() >= s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0;
    };
    return ends(".nii") || ends(".nii.gz");
}

NiftiFileInfo niftiInfo(const std::string& path) {
    NiftiFileInfo info;
    info.path = path;
    try {
        const NiftiHeader h = readNiftiHeader(path);
        info.shape = h.shape;
        const Vec3 sp = h.affine.spacing();
        info.spacing = {sp[0], sp[1], sp[2]};
        info.datatype = niftiDatatypeName(h.datatype);
    } catch (const std::exception& e) {
        info.error = e.what();
    }
    return info;
}

DatasetInfo datasetInfo(const std::string& path) {
    DatasetInfo d;
    d.datasetJson = path;
    d.name = fs::path(path).parent_path().filename().string();
    try {
        std::ifstream f(path);
        if (!f)
            throw IoError("cannot open", path);
        const nlohmann::json j = nlohmann::json::parse(f);
        if (!j.is_object())
            throw IoError("not a JSON object", path);
        if (j.contains("name") && j["name"].is_string())
            d.name = j["name"].get<std::string>();
        if (j.contains("description") && j["description"].is_string())
            d.description = j["description"].get<std::string>();
        if (j.contains("modality")) {
            const auto& m = j["modality"];
            if (m.is_string())
                d.modality = m.get<std::string>();
            else if (m.is_object())
                for (auto it = m.begin(); it != m.end(); ++it)
                    d.modality += (d.modality.empty() ? "" : ", ") +
                                  (it->is_string() ? it->get<std::string>() : it->dump());
        }
        if (j.contains("numTraining") && j["numTraining"].is_number_integer())
            d.numTraining = j["numTraining"].get<int>();
        else if (j.contains("training") && j["training"].is_array())
            d.numTraining = int(j["training"].size());
        if (j.contains("numTest") && j["numTest"].is_number_integer())
            d.numTest = j["numTest"].get<int>();
        else if (j.contains("test") && j["test"].is_array())
            d.numTest = int(j["test"].size());
    } catch (const std::exception& e) {
        d.error = e.what();
    }
    return d;
}

/// Maps a sub-range of the work onto [from, to] of the caller's sink.
class RangeProgress final : public ProgressSink {
public:
    RangeProgress(ProgressSink* sink, double from, double to) : sink_(sink), from_(from), to_(to) {}
    void progress(double f, const std::string& m) override {
        if (sink_)
            sink_->progress(from_ + (to_ - from_) * f, m);
    }

private:
    ProgressSink* sink_;
    double from_, to_;
};

} // namespace

FolderContents scanFolder(const std::string& root, const FolderScanOptions& options,
                          ProgressSink* progress, const CancelToken* cancel) {
    FolderContents out;
    out.root = root;
    std::error_code ec;
    if (!fs::exists(root, ec))
        throw IoError("no such file or folder", root);
    const StudyIndexOptions so =
        StudyIndexOptions().thumbnails(options.thumbnails).thumbnail_size(options.thumbnailSize);
    if (!fs::is_directory(root, ec)) {
        const fs::path p(root);
        if (isNifti(p))
            out.niftiFiles.push_back(niftiInfo(root));
        else if (p.filename() == "dataset.json")
            out.datasets.push_back(datasetInfo(root));
        else if (p.filename() == "DICOMDIR" || p.filename() == "dicomdir")
            out.studies = indexStudies(root, so, progress, cancel);
        else { // one DICOM file: index its folder
            out.studies = indexStudies(p.parent_path().string(), so, progress, cancel);
        }
        return out;
    }

    RangeProgress indexProgress(progress, 0.0, 0.8);
    out.studies = indexStudies(root, so, &indexProgress, cancel);

    // NIfTI files and dataset.json folders (two passes: a dataset's folder
    // may be visited after its images).
    std::vector<fs::path> niftis;
    std::set<fs::path> datasetDirs;
    for (auto it = fs::recursive_directory_iterator(
             root, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (cancel)
            cancel->throwIfCancelled();
        const fs::path& p = it->path();
        if (!it->is_regular_file(ec))
            continue;
        if (p.filename() == "dataset.json")
            datasetDirs.insert(p.parent_path());
        else if (isNifti(p) && niftis.size() < options.maxNiftiFiles * 4)
            niftis.push_back(p);
    }
    for (const auto& d : datasetDirs)
        out.datasets.push_back(datasetInfo((d / "dataset.json").string()));
    auto insideDataset = [&](const fs::path& p) {
        for (fs::path d = p.parent_path(); !d.empty(); d = d.parent_path()) {
            if (datasetDirs.count(d))
                return true;
            if (d == d.parent_path())
                break;
        }
        return false;
    };
    std::sort(niftis.begin(), niftis.end());
    std::vector<fs::path> listed;
    for (const auto& p : niftis)
        if ((options.listDatasetImages || !insideDataset(p)) &&
            listed.size() < options.maxNiftiFiles)
            listed.push_back(p);
    for (size_t i = 0; i < listed.size(); ++i) {
        if (cancel)
            cancel->throwIfCancelled();
        if (progress)
            progress->progress(0.8 + 0.2 * double(i) / double(listed.size()),
                               "reading NIfTI header " + std::to_string(i + 1) + "/" +
                                   std::to_string(listed.size()));
        out.niftiFiles.push_back(niftiInfo(listed[i].string()));
    }
    if (progress)
        progress->progress(1.0, "done");
    return out;
}

Thumbnail seriesThumbnail(const SeriesRecord& series) {
    Thumbnail t;
    const at::Tensor& th = series.thumbnail;
    if (!th.defined() || th.scalar_type() != at::kByte || (th.dim() != 2 && th.dim() != 3))
        return t;
    const at::Tensor c = th.contiguous();
    t.height = int(c.size(0));
    t.width = int(c.size(1));
    t.channels = c.dim() == 3 ? int(c.size(2)) : 1;
    if (t.channels != 1 && t.channels != 3)
        return {};
    const uint8_t* p = c.data_ptr<uint8_t>();
    t.pixels.assign(p, p + size_t(t.width) * t.height * t.channels);
    return t;
}

Volume loadSeries(const std::string& path, const std::string& seriesLabel) {
    LoadImageOptions o;
    o.ensure_channel_first(true);
    if (!seriesLabel.empty()) {
        ReadOptions ro;
        ro.seriesUid = seriesLabel;
        o.reader("DicomReader").read_options(ro);
    }
    return loadVolume(path, o);
}

} // namespace medulla
