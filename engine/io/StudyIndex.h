#pragma once
/// Study index: a folder tree of DICOM files (or the files a DICOMDIR
/// lists) organised as Patient -> Study -> Series, from headers only (no
/// pixel decoding, unless thumbnails are asked for). The GUI's study
/// browser and `medulla info FOLDER` sit on this.

#include <ATen/Tensor.h>

#include <string>
#include <vector>

#include <torch/arg.h>

#include "engine/core/CancelToken.h"
#include "engine/core/Progress.h"

namespace medulla {

struct SeriesRecord {
    std::string seriesUid;
    int part = 0;      ///< > 0 when one UID was split by orientation or size
    std::string label; ///< UID, or "UID part N": what DicomReader's series_uid takes
    std::string seriesNumber, modality, description, manufacturer;
    int rows = 0, columns = 0;
    int instanceCount = 0;                    ///< files
    int imageCount = 0;                       ///< 2D images (frames of multi-frame files count)
    double rowSpacing = 0, columnSpacing = 0; ///< mm (0 if unknown)
    double sliceSpacing = 0; ///< mm, from the positions (0 if unknown or a single image)
    std::vector<std::string> files;
    /// Mid-slice preview, uint8 (H, W) or (H, W, 3), when asked for.
    at::Tensor thumbnail;
};

struct StudyRecord {
    std::string studyUid, studyDate, studyDescription;
    std::vector<SeriesRecord> series;
};

struct PatientRecord {
    std::string patientId, patientName;
    std::vector<StudyRecord> studies;
};

struct StudyIndex {
    std::string root;
    bool fromDicomDir = false; ///< the file list came from a DICOMDIR
    int filesSeen = 0;         ///< files looked at
    int dicomFiles = 0;        ///< DICOM headers read
    std::vector<PatientRecord> patients;
    /// "path: reason" for DICOM files that could not be read, and missing
    /// files a DICOMDIR lists.
    std::vector<std::string> errors;
    int seriesCount() const;
};

struct StudyIndexOptions {
    /// Use a DICOMDIR at the root of the folder for the file list.
    TORCH_ARG(bool, use_dicomdir) = true;
    /// Decode the middle image of each series into a thumbnail.
    TORCH_ARG(bool, thumbnails) = false;
    TORCH_ARG(int, thumbnail_size) = 64; ///< longest side, pixels
    /// Header-reading threads (0 = hardware concurrency).
    TORCH_ARG(int, threads) = 0;
};

/// Index `root` (a folder, or a DICOMDIR file). Reports progress and stops
/// with CancelledError when `cancel` is set. Throws IoError if `root` does
/// not exist.
StudyIndex indexStudies(const std::string& root, const StudyIndexOptions& options = {},
                        ProgressSink* progress = nullptr, const CancelToken* cancel = nullptr);

/// The files a DICOMDIR references (absolute paths, existing ones first
/// checked case-insensitively); missing ones are added to `missing`.
std::vector<std::string> dicomDirFiles(const std::string& dicomdir,
                                       std::vector<std::string>* missing = nullptr);

} // namespace medulla
