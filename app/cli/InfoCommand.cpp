#include "app/cli/InfoCommand.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

#include "engine/core/Error.h"
#include "engine/io/DicomSeries.h"
#include "engine/io/LoadImage.h"
#include "engine/io/NiftiHeader.h"
#include "engine/io/StudyIndex.h"

namespace medulla::cli {
namespace {

using Json = nlohmann::json;

Json indexJson(const StudyIndex& index) {
    Json patients = Json::array();
    for (const auto& p : index.patients) {
        Json studies = Json::array();
        for (const auto& st : p.studies) {
            Json series = Json::array();
            for (const auto& s : st.series)
                series.push_back({{"series_uid", s.label},
                                  {"series_number", s.seriesNumber},
                                  {"modality", s.modality},
                                  {"description", s.description},
                                  {"rows", s.rows},
                                  {"columns", s.columns},
                                  {"instances", s.instanceCount},
                                  {"images", s.imageCount},
                                  {"pixel_spacing", {s.rowSpacing, s.columnSpacing}},
                                  {"slice_spacing", s.sliceSpacing}});
            studies.push_back(
                {{"study_uid", st.studyUid}, {"study_date", st.studyDate}, {"series", series}});
        }
        patients.push_back(
            {{"patient_id", p.patientId}, {"patient_name", p.patientName}, {"studies", studies}});
    }
    return {{"folder", index.root},
            {"from_dicomdir", index.fromDicomDir},
            {"files", index.filesSeen},
            {"dicom_files", index.dicomFiles},
            {"series_count", index.seriesCount()},
            {"patients", patients},
            {"errors", index.errors}};
}

int printIndex(const StudyIndex& index, bool json) {
    if (json) {
        std::printf("%s\n", indexJson(index).dump().c_str());
        return 0;
    }
    std::printf("%s: %d DICOM files of %d%s, %d series\n", index.root.c_str(), index.dicomFiles,
                index.filesSeen, index.fromDicomDir ? " (from DICOMDIR)" : "", index.seriesCount());
    for (const auto& p : index.patients) {
        std::printf("patient %s  %s\n", p.patientId.c_str(), p.patientName.c_str());
        for (const auto& st : p.studies) {
            std::printf("  study %s  %s\n", st.studyUid.c_str(), st.studyDate.c_str());
            for (const auto& s : st.series)
                std::printf("    series %s  #%s %s \"%s\"  %dx%d x %d images, %.4g x %.4g mm%s\n",
                            s.label.c_str(), s.seriesNumber.c_str(), s.modality.c_str(),
                            s.description.c_str(), s.columns, s.rows, s.imageCount, s.columnSpacing,
                            s.rowSpacing,
                            s.sliceSpacing > 0
                                ? (", slices " + std::to_string(s.sliceSpacing) + " mm").c_str()
                                : "");
        }
    }
    for (const auto& e : index.errors)
        std::printf("  ! %s\n", e.c_str());
    std::printf("load one series with: medulla info %s --series <series_uid>\n",
                index.root.c_str());
    return 0;
}

} // namespace

int runInfo(const InfoArgs& args) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(args.path, ec) && args.series.empty() &&
        (args.reader.empty() || args.reader == "DicomReader")) {
        StudyIndex index = indexStudies(args.path, StudyIndexOptions().thumbnails(args.thumbnails));
        if (index.seriesCount() != 1)
            return printIndex(index, args.json);
    }
    LoadImageOptions o;
    o.reader(args.reader).dtype(at::ScalarType::Undefined);
    ReadOptions ro;
    ro.seriesUid = args.series;
    o.read_options(ro);
    LoadedImage img = loadImageFile(args.path, o);
    const at::Tensor data = img.data;
    const at::Tensor f = data.to(torch::kDouble);
    const ImageMeta& m = img.meta;
    Json j;
    j["file"] = args.path;
    j["reader"] = m.reader;
    j["shape"] = data.sizes().vec();
    j["spatial_shape"] = m.spatialShape;
    j["original_channel_dim"] = m.originalChannelDim == ImageMeta::kNoChannel
                                    ? Json("no_channel")
                                    : Json(m.originalChannelDim);
    j["dtype"] = dtypeName(data.scalar_type());
    j["source_dtype"] = m.sourceDtype;
    const Vec3 sp = img.affine.spacing();
    j["spacing"] = {sp[0], sp[1], sp[2]};
    Json rows = Json::array();
    for (int r = 0; r < 4; ++r)
        rows.push_back({img.affine(r, 0), img.affine(r, 1), img.affine(r, 2), img.affine(r, 3)});
    j["affine_ras"] = rows;
    j["axcodes"] = img.affine.axisCodes();
    const at::Tensor finite = f.masked_select(torch::isfinite(f));
    j["min"] = finite.numel() ? finite.min().item<double>() : 0.0;
    j["max"] = finite.numel() ? finite.max().item<double>() : 0.0;
    j["nan_count"] = torch::isnan(f).sum().item<int64_t>();
    j["files"] = m.filenames.size();
    j["tags"] = m.tags;
    j["warnings"] = m.warnings;
    if (m.reader == "NiftiReader") {
        const NiftiHeader h = readNiftiHeader(args.path);
        j["nifti"] = {{"version", h.version},
                      {"qform_code", h.qformCode},
                      {"sform_code", h.sformCode},
                      {"big_endian", h.bigEndian}};
    }
    if (args.json) {
        std::printf("%s\n", j.dump().c_str());
        return 0;
    }
    std::string shape;
    for (auto s : data.sizes())
        shape += (shape.empty() ? "" : "x") + std::to_string(s);
    std::printf("%s\n  reader: %s (%zu file%s)\n  shape %s %s (on disk: %s), spacing %.5g x %.5g x "
                "%.5g mm, %s\n  range [%g, %g]%s\n  affine (RAS):\n",
                args.path.c_str(), m.reader.c_str(), m.filenames.size(),
                m.filenames.size() == 1 ? "" : "s", shape.c_str(),
                dtypeName(data.scalar_type()).c_str(), m.sourceDtype.c_str(), sp[0], sp[1], sp[2],
                img.affine.axisCodes().c_str(), j["min"].get<double>(), j["max"].get<double>(),
                j["nan_count"].get<int64_t>()
                    ? (", " + std::to_string(j["nan_count"].get<int64_t>()) + " NaN").c_str()
                    : "");
    for (int r = 0; r < 4; ++r)
        std::printf("    [%10.4f %10.4f %10.4f %10.4f]\n", img.affine(r, 0), img.affine(r, 1),
                    img.affine(r, 2), img.affine(r, 3));
    for (const auto& [k, v] : m.tags)
        std::printf("  %s: %s\n", k.c_str(), v.c_str());
    for (const auto& w : m.warnings)
        std::printf("  warning: %s\n", w.c_str());
    return 0;
}

} // namespace medulla::cli
