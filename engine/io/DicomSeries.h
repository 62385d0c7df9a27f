#pragma once
/// DICOM series: grouping files into series, ordering slices along the
/// slice normal, checking the spacing, and stacking them into one volume.

#include <string>
#include <vector>

#include "engine/core/CancelToken.h"
#include "engine/core/Progress.h"
#include "engine/io/DicomFile.h"
#include "engine/io/ImageReader.h"

namespace medulla {

/// Files of one series that can form one volume: same SeriesInstanceUID,
/// orientation and image size. `files` is in the order they were given
/// until loadDicomSeries() sorts the slices.
struct DicomSeriesGroup {
    std::string seriesUid;
    /// 1-based index when one SeriesInstanceUID had to be split because it
    /// mixes orientations or image sizes; 0 otherwise.
    int part = 0;
    std::vector<DicomHeader> files;
    /// "1.2.3…" or "1.2.3… part 2", for messages and selection.
    std::string label() const;
    int imageCount() const; ///< slices: files, or frames of a multi-frame file
};

/// Group image headers (files without pixel data and DICOMDIRs are left
/// out) by SeriesInstanceUID, then split each by orientation (rounded to
/// 1e-4) and Rows/Columns. Order: by SeriesNumber, then UID.
std::vector<DicomSeriesGroup> groupDicomSeries(const std::vector<DicomHeader>& headers);

/// Every regular file under `folder`, recursively, sorted.
std::vector<std::string> listFiles(const std::string& folder);

/// Read the headers of `paths` on `threads` threads (0 = hardware
/// concurrency), skipping files that do not look like DICOM; the result
/// keeps the order of `paths`. Unreadable DICOM files are reported in
/// `errors` ("path: reason") rather than thrown. Progress is reported;
/// `cancel` stops it with CancelledError.
std::vector<DicomHeader> readDicomHeaders(const std::vector<std::string>& paths, int threads = 0,
                                          std::vector<std::string>* errors = nullptr,
                                          ProgressSink* progress = nullptr,
                                          const CancelToken* cancel = nullptr);

/// readDicomHeaders() of listFiles(folder).
std::vector<DicomHeader> scanDicomFolder(const std::string& folder,
                                         std::vector<std::string>* errors = nullptr,
                                         ProgressSink* progress = nullptr,
                                         const CancelToken* cancel = nullptr);

/// Stack a group into one volume. Slices are sorted along the normal of
/// ImageOrientationPatient by their ImagePositionPatient; the slice
/// spacing comes from the positions. Throws IoError when the slices are
/// unevenly spaced (naming the spacings), when slices are missing, or when
/// two slices share a position. Files without geometry are stacked in
/// InstanceNumber order with a warning in the metadata.
/// Data: (X, Y[, Z]) or (X, Y[, Z], 3) for RGB (channel last), int32 when
/// every rescale is integral, else float32.
/// Siemens mosaics (DicomMosaic.cpp) are unpacked: (X, Y, Z) per file, and
/// a series of several files at the same place gives (X, Y, Z, T) with the
/// repetitions as the last, channel axis.
LoadedImage loadDicomSeries(const DicomSeriesGroup& group, const CancelToken* cancel = nullptr);

/// Integer voxels in the smallest of uint8, int16, int32 that holds them.
at::Tensor narrowIntegral(const at::Tensor& data);

/// The mosaic path of loadDicomSeries().
LoadedImage loadMosaicSeries(const DicomSeriesGroup& group, const CancelToken* cancel = nullptr);

} // namespace medulla
