#include "engine/io/DicomReader.h"

#include <ATen/ATen.h>

#include "engine/core/Error.h"
#include "engine/io/DicomSeries.h"

namespace medulla {

bool DicomReader::canRead(const FileProbe& probe) const {
    if (probe.isDirectory)
        return true;
    return probe.endsWith(".dcm") || probe.endsWith(".dicom") || probe.endsWith(".dcm.gz") ||
           looksLikeDicom(probe.head);
}

LoadedImage DicomReader::read(const std::string& path, const ReadOptions& options) const {
    const FileProbe probe = probeFile(path);
    if (!probe.isDirectory) {
        DicomSeriesGroup single;
        DicomHeader h = readDicomHeader(path);
        requireImage(h);
        single.seriesUid = h.tag("SeriesInstanceUID");
        single.files.push_back(std::move(h));
        return loadDicomSeries(single);
    }
    std::vector<std::string> errors;
    const auto headers = scanDicomFolder(path, &errors);
    const auto groups = groupDicomSeries(headers);
    if (groups.empty()) {
        std::string why = headers.empty() ? "no DICOM image files in this folder"
                                          : "no DICOM file in this folder holds an image";
        if (!errors.empty())
            why +=
                "; unreadable: " + errors.front() +
                (errors.size() > 1 ? " (and " + std::to_string(errors.size() - 1) + " more)" : "");
        throw IoError(why, path);
    }
    auto describe = [&]() {
        std::string s;
        for (const auto& g : groups)
            s += "\n  " + g.label() + " (" + g.files[0].tag("Modality") + " \"" +
                 g.files[0].tag("SeriesDescription") + "\", " + std::to_string(g.imageCount()) +
                 " images)";
        return s;
    };
    const DicomSeriesGroup* chosen = nullptr;
    if (!options.seriesUid.empty()) {
        for (const auto& g : groups)
            if (g.label() == options.seriesUid || (g.part <= 1 && g.seriesUid == options.seriesUid))
                chosen = &g;
        if (!chosen)
            throw IoError(
                "no series " + options.seriesUid + " here; the folder holds:" + describe(), path);
    } else if (groups.size() == 1) {
        chosen = &groups[0];
    } else {
        throw IoError("the folder holds " + std::to_string(groups.size()) +
                          " series; choose one (series_uid):" + describe(),
                      path);
    }
    LoadedImage out = loadDicomSeries(*chosen);
    for (const auto& e : errors)
        out.meta.warnings.push_back("skipped unreadable file: " + e);
    return out;
}

} // namespace medulla
