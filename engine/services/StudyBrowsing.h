#pragma once
/// What a folder holds, for the studio's study browser: the DICOM study
/// index (Patient -> Study -> Series, engine/io/StudyIndex.h), the NIfTI
/// files (geometry from the header only) and the Decathlon-style datasets
/// (folders holding a dataset.json). Qt-free and LibTorch-free beyond
/// <ATen/Tensor.h> (through StudyIndex and Volume): the ui layer includes it.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/CancelToken.h"
#include "engine/core/Progress.h"
#include "engine/core/Volume.h"
#include "engine/io/StudyIndex.h"

namespace medulla {

/// A NIfTI file found in the folder; shape and spacing from its header.
struct NiftiFileInfo {
    std::string path;
    std::vector<int64_t> shape;      ///< dim[1..dim[0]]
    std::array<double, 3> spacing{}; ///< mm, from the affine (nibabel's rules)
    std::string datatype;            ///< "uint8", "float32", ...
    std::string error;               ///< non-empty when the header could not be read
};

/// A folder with a Decathlon dataset.json.
struct DatasetInfo {
    std::string datasetJson; ///< path of the dataset.json
    std::string name, description, modality;
    int numTraining = 0; ///< "numTraining", else the length of "training"
    int numTest = 0;
    std::string error; ///< non-empty when the JSON could not be read
};

/// 8-bit pixels of a series thumbnail, row-major, channels interleaved.
struct Thumbnail {
    int width = 0, height = 0, channels = 0; ///< channels: 1 (grey) or 3 (RGB)
    std::vector<uint8_t> pixels;
    bool empty() const { return pixels.empty(); }
};

struct FolderContents {
    std::string root;
    StudyIndex studies;
    std::vector<NiftiFileInfo> niftiFiles; ///< sorted by path
    std::vector<DatasetInfo> datasets;     ///< sorted by path
};

struct FolderScanOptions {
    bool thumbnails = true;
    int thumbnailSize = 64;
    /// NIfTI files below a folder holding a dataset.json belong to that
    /// dataset and are not listed on their own when this is false.
    bool listDatasetImages = false;
    size_t maxNiftiFiles = 5000; ///< stop listing beyond this many
};

/// Scan `root`: a folder (DICOM index + NIfTI files + dataset.json folders,
/// recursively) or a single file (a .nii/.nii.gz, a dataset.json, a
/// DICOMDIR or a DICOM file). Reports progress; throws CancelledError when
/// cancelled and IoError naming `root` when it does not exist.
FolderContents scanFolder(const std::string& root, const FolderScanOptions& options = {},
                          ProgressSink* progress = nullptr, const CancelToken* cancel = nullptr);

/// The thumbnail of a series indexed with thumbnails (empty when none).
Thumbnail seriesThumbnail(const SeriesRecord& series);

/// Load what the browser lists, channel-first float32: one DICOM series of
/// `path` (a folder) when `seriesLabel` (SeriesRecord::label) is given,
/// else the image file `path`. Throws IoError/ConfigError naming the file.
Volume loadSeries(const std::string& path, const std::string& seriesLabel = {});

} // namespace medulla
