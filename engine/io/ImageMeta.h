#pragma once
/// The metadata record that travels with every loaded image (MONAI's
/// `meta_dict`): where it came from, its original geometry and type, and for
/// DICOM the key identifying tags.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/core/Affine.h"

namespace medulla {

struct ImageMeta {
    /// The file(s) read, in the order their data was stacked (DICOM: sorted
    /// along the slice normal).
    std::vector<std::string> filenames;
    /// Name of the reader that produced the data ("NiftiReader", "DicomReader", …).
    std::string reader;
    /// RAS+ affine of the data as read, before any transform.
    Affine originalAffine;
    /// Spatial shape (X, Y[, Z]) as read.
    std::vector<int64_t> spatialShape;
    /// Axis of the channels in the reader's native layout (MONAI's
    /// `original_channel_dim`): -1 = last axis (e.g. RGB), 0 = first,
    /// kNoChannel = a single-channel image without a channel axis.
    static constexpr int kNoChannel = -999;
    int originalChannelDim = kNoChannel;
    /// Voxel type on disk: "int16", "uint8", "float32", "rgb-uint8" …
    std::string sourceDtype;
    /// DICOM key tags by keyword (PatientID, PatientName, StudyInstanceUID,
    /// StudyDate, SeriesInstanceUID, SeriesNumber, SeriesDescription,
    /// Modality, Manufacturer, plus TransferSyntaxUID); other readers add
    /// their own facts here (e.g. "nifti_version").
    std::map<std::string, std::string> tags;
    /// Things a user should know that did not stop the read (e.g. a header
    /// spacing that disagrees with the slice positions).
    std::vector<std::string> warnings;
};

/// The DICOM keywords copied into ImageMeta::tags, in display order.
const std::vector<std::string>& dicomKeyTags();

} // namespace medulla
