#pragma once
/// DicomReader (DCMTK; JPEG-LS via CharLS, JPEG 2000 via OpenJPEG): a single DICOM file
/// (one image or a multi-frame object) or a folder of files forming one
/// series. See DicomSeries.h for the ordering and spacing rules.

#include "engine/io/ImageReader.h"

namespace medulla {

class DicomReader : public ImageReader {
public:
    std::string name() const override { return "DicomReader"; }
    std::string formats() const override {
        return "DICOM files, multi-frame objects and series folders (.dcm, no suffix, folders)";
    }
    bool canRead(const FileProbe& probe) const override;
    /// A folder with several series needs options.seriesUid; the error lists them.
    LoadedImage read(const std::string& path, const ReadOptions& options = {}) const override;
};

} // namespace medulla
