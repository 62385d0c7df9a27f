#include "engine/io/StudyIndex.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "engine/core/Error.h"
#include "engine/core/Strings.h"
#include "engine/io/DicomDataset.h"
#include "engine/io/DicomSeries.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

/// Resolve a path component by component, ignoring case where the exact
/// name does not exist (DICOM media use upper-case 8.3 names).
std::optional<fs::path> resolveCaseInsensitive(const fs::path& base, const std::string& rel) {
    fs::path cur = base;
    std::string part;
    std::error_code ec;
    std::vector<std::string> parts;
    for (char c : rel) {
        if (c == '/' || c == '\\') {
            if (!part.empty())
                parts.push_back(part);
            part.clear();
        } else {
            part += c;
        }
    }
    if (!part.empty())
        parts.push_back(part);
    for (const auto& p : parts) {
        if (fs::exists(cur / p, ec)) {
            cur /= p;
            continue;
        }
        bool found = false;
        for (const auto& e : fs::directory_iterator(cur, ec))
            if (toLower(e.path().filename().string()) == toLower(p)) {
                cur = e.path();
                found = true;
                break;
            }
        if (!found)
            return std::nullopt;
    }
    return cur;
}

double sliceSpacingOf(const DicomSeriesGroup& g) {
    std::vector<double> along;
    for (const auto& f : g.files)
        for (int k = 0; k < f.frames; ++k) {
            const DicomFrameGeometry geo = f.frameGeometry(k);
            if (!geo.position || !geo.orientation)
                return 0;
            const auto& o = *geo.orientation;
            const double n[3] = {o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5],
                                 o[0] * o[4] - o[1] * o[3]};
            const auto& p = *geo.position;
            along.push_back(p[0] * n[0] + p[1] * n[1] + p[2] * n[2]);
        }
    if (along.size() < 2)
        return 0;
    std::sort(along.begin(), along.end());
    return (along.back() - along.front()) / double(along.size() - 1);
}

/// Window the middle image of a series to its 1st-99th percentile and
/// shrink it (area average) to `size` on the longest side.
at::Tensor thumbnailOf(const DicomSeriesGroup& g, int size) {
    const DicomHeader& mid = g.files[g.files.size() / 2];
    at::Tensor frames = readDicomFrames(mid.path);                 // (F, R, C, S)
    at::Tensor img = frames[frames.size(0) / 2].to(torch::kFloat); // (R, C, S)
    at::Tensor flat = img.flatten();
    const int64_t n = flat.numel();
    at::Tensor sorted = std::get<0>(flat.sort());
    const double lo = sorted[n / 100].item<double>(),
                 hi = sorted[std::max<int64_t>(n * 99 / 100 - 1, 0)].item<double>();
    img = ((img - lo) / std::max(hi - lo, 1e-6) * 255.0).clamp(0, 255);
    const double scale = double(size) / double(std::max(img.size(0), img.size(1)));
    if (scale < 1) {
        const int64_t h = std::max<int64_t>(1, std::lround(double(img.size(0)) * scale));
        const int64_t w = std::max<int64_t>(1, std::lround(double(img.size(1)) * scale));
        img = torch::adaptive_avg_pool2d(img.permute({2, 0, 1}).unsqueeze(0), {h, w})[0].permute(
            {1, 2, 0});
    }
    img = img.round().to(torch::kByte).contiguous();
    return img.size(2) == 1 ? img.select(2, 0).contiguous() : img;
}

} // namespace

int StudyIndex::seriesCount() const {
    int n = 0;
    for (const auto& p : patients)
        for (const auto& s : p.studies)
            n += int(s.series.size());
    return n;
}

std::vector<std::string> dicomDirFiles(const std::string& dicomdir,
                                       std::vector<std::string>* missing) {
    auto file = detail::openDicom(dicomdir, false);
    DcmSequenceOfItems* records = nullptr;
    if (file->getDataset()->findAndGetSequence(DCM_DirectoryRecordSequence, records).bad() ||
        !records)
        throw IoError("DICOMDIR without a DirectoryRecordSequence", dicomdir);
    const fs::path base = fs::path(dicomdir).parent_path();
    std::vector<std::string> out;
    for (unsigned long i = 0; i < records->card(); ++i) {
        DcmItem* rec = records->getItem(i);
        OFString id;
        if (!rec || rec->findAndGetOFStringArray(DCM_ReferencedFileID, id).bad() || id.empty())
            continue;
        const auto p = resolveCaseInsensitive(base, id.c_str());
        if (p)
            out.push_back(p->string());
        else if (missing)
            missing->push_back(dicomdir + ": lists " + std::string(id.c_str()) +
                               ", which does not exist");
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

StudyIndex indexStudies(const std::string& root, const StudyIndexOptions& options,
                        ProgressSink* progress, const CancelToken* cancel) {
    std::error_code ec;
    if (!fs::exists(root, ec))
        throw IoError("folder not found", root);
    StudyIndex index;
    index.root = root;
    std::vector<std::string> paths;
    fs::path dicomdir;
    if (fs::is_directory(root, ec)) {
        if (options.use_dicomdir())
            for (const auto& e : fs::directory_iterator(root, ec))
                if (e.is_regular_file() && toLower(e.path().filename().string()) == "dicomdir")
                    dicomdir = e.path();
    } else {
        dicomdir = root;
    }
    if (!dicomdir.empty()) {
        try {
            paths = dicomDirFiles(dicomdir.string(), &index.errors);
            index.fromDicomDir = true;
        } catch (const IoError& e) {
            index.errors.push_back(std::string(e.what()) + " (indexing the folder instead)");
        }
    }
    if (!index.fromDicomDir)
        paths = listFiles(fs::is_directory(root, ec) ? root : dicomdir.parent_path().string());
    index.filesSeen = int(paths.size());
    const auto headers =
        readDicomHeaders(paths, options.threads(), &index.errors, progress, cancel);
    index.dicomFiles = int(headers.size());
    const auto groups = groupDicomSeries(headers);

    std::map<std::string, size_t> patientAt;
    std::map<std::pair<size_t, std::string>, size_t> studyAt;
    for (size_t gi = 0; gi < groups.size(); ++gi) {
        const DicomSeriesGroup& g = groups[gi];
        const DicomHeader& h = g.files[0];
        const std::string pid = h.tag("PatientID") + "\x1f" + h.tag("PatientName");
        if (!patientAt.count(pid)) {
            patientAt[pid] = index.patients.size();
            index.patients.push_back({h.tag("PatientID"), h.tag("PatientName"), {}});
        }
        const size_t p = patientAt[pid];
        const std::string suid = h.tag("StudyInstanceUID");
        if (!studyAt.count({p, suid})) {
            studyAt[{p, suid}] = index.patients[p].studies.size();
            index.patients[p].studies.push_back({suid, h.tag("StudyDate"), {}, {}});
        }
        StudyRecord& study = index.patients[p].studies[studyAt[{p, suid}]];
        SeriesRecord s;
        s.seriesUid = g.seriesUid;
        s.part = g.part;
        s.label = g.label();
        s.seriesNumber = h.tag("SeriesNumber");
        s.modality = h.tag("Modality");
        s.description = h.tag("SeriesDescription");
        s.manufacturer = h.tag("Manufacturer");
        s.rows = h.rows;
        s.columns = h.columns;
        s.instanceCount = int(g.files.size());
        s.imageCount = g.imageCount();
        if (h.shared.pixelSpacing) {
            s.rowSpacing = (*h.shared.pixelSpacing)[0];
            s.columnSpacing = (*h.shared.pixelSpacing)[1];
        }
        s.sliceSpacing = sliceSpacingOf(g);
        for (const auto& f : g.files)
            s.files.push_back(f.path);
        if (options.thumbnails()) {
            if (cancel)
                cancel->throwIfCancelled();
            try {
                s.thumbnail = thumbnailOf(g, std::max(8, options.thumbnail_size()));
            } catch (const IoError& e) {
                index.errors.push_back(std::string(e.what()) + " (no thumbnail)");
            }
        }
        study.series.push_back(std::move(s));
    }
    if (progress)
        progress->progress(1.0, "indexed " + std::to_string(index.seriesCount()) + " series");
    return index;
}

} // namespace medulla
