#pragma once
/// One DICOM file read with DCMTK: the header facts a reader, a series
/// builder and the study index need, and the decoded, rescaled frames.

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <ATen/Tensor.h>

namespace medulla {

struct DicomFrameGeometry {
    std::optional<std::array<double, 3>> position;     ///< ImagePositionPatient, LPS mm
    std::optional<std::array<double, 6>> orientation;  ///< ImageOrientationPatient
    std::optional<std::array<double, 2>> pixelSpacing; ///< (row spacing, column spacing) mm
    double rescaleSlope = 1.0, rescaleIntercept = 0.0;
};

struct DicomHeader {
    std::string path;
    std::string transferSyntax; ///< UID
    std::string sopClassUid, sopInstanceUid;
    std::map<std::string, std::string> tags; ///< dicomKeyTags() keywords present
    bool isDicomDir = false;
    bool hasPixelData = false;
    bool floatPixelData = false; ///< FloatPixelData (32-bit floats) instead of PixelData
    int rows = 0, columns = 0, frames = 1, samplesPerPixel = 1;
    int bitsAllocated = 0, bitsStored = 0, highBit = 0, pixelRepresentation = 0;
    int planarConfiguration = 0;
    std::string photometric;
    int instanceNumber = 0;
    bool hasInstanceNumber = false;
    std::optional<double> sliceThickness, spacingBetweenSlices;
    /// Geometry shared by all frames (classic images: the only one).
    DicomFrameGeometry shared;
    /// Multi-frame files: per-frame geometry when the file has it
    /// (Enhanced per-frame functional groups, or GridFrameOffsetVector).
    std::vector<DicomFrameGeometry> perFrame;
    /// Value of Siemens' NumberOfImagesInMosaic when the file is a mosaic.
    int mosaicImages = 0;
    /// SliceNormalVector of the Siemens CSA image header (mosaics: the
    /// direction in which the tiled slices follow each other).
    std::optional<std::array<double, 3>> csaSliceNormal;

    std::string tag(const std::string& keyword) const;
    /// Geometry of frame f (per-frame values override shared ones).
    DicomFrameGeometry frameGeometry(int f) const;
};

/// Read the header of `path` (stops before the pixel data unless
/// `withPixels`). Throws IoError naming the file for unreadable, truncated
/// or non-DICOM files.
DicomHeader readDicomHeader(const std::string& path);

/// Throws IoError naming the file unless it holds an image (a DICOMDIR or
/// an object without pixel data does not).
void requireImage(const DicomHeader& header);

/// True if the first bytes hold "DICM" at offset 128, or look like a DICOM
/// data set without a preamble (group 0x0002/0x0008 little endian).
bool looksLikeDicom(const std::string& head);

/// Decode every frame of `path`: (frames, rows, cols, samples) float64
/// values after RescaleSlope/Intercept, MONOCHROME1 inverted (so that a
/// higher value is brighter), YBR converted to RGB. Also returns the header.
/// Throws IoError naming the file and the reason (unsupported transfer
/// syntax, truncated pixel data, no pixel data, …).
at::Tensor readDicomFrames(const std::string& path, DicomHeader* header = nullptr);

/// Human name of a transfer syntax UID ("JPEG Lossless, SV1", …).
std::string transferSyntaxName(const std::string& uid);

} // namespace medulla
