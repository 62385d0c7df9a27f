#pragma once
/// Internal to engine/io: opening a DICOM file with DCMTK (codecs
/// registered once, logging quiet, gzip-compressed files unpacked) and
/// extracting a DicomHeader from a data set. Not part of the public API.

#include <memory>
#include <string>

#include "engine/io/DicomFile.h"

#include <cstdint>
#include <vector>

class DcmDataset;
class DcmFileFormat;

namespace medulla::detail {

/// Open `path`. With `headerOnly`, values longer than 4 KiB (the pixel
/// data) stay on disk, so only the header is parsed. Throws IoError naming
/// the file when it is missing, not DICOM, or cut short.
std::unique_ptr<DcmFileFormat> openDicom(const std::string& path, bool headerOnly);

/// The header facts of an opened file.
DicomHeader extractHeader(DcmFileFormat& file, const std::string& path);

/// The compressed codestream of each frame (fragments joined; frames split
/// one per fragment or at JPEG start-of-image markers). Throws IoError when
/// the count differs from `frames`.
std::vector<std::vector<uint8_t>> encapsulatedFrames(DcmDataset& ds, int frames,
                                                     const std::string& path);

/// Decode JPEG-LS pixel data with CharLS: frames of Rows x Columns x
/// Samples, 8- or 16-bit little-endian samples; `planar` is set to 1 when
/// colour planes are separate. Throws IoError naming the file on damaged
/// streams or streams that disagree with the header.
std::vector<uint8_t> decodeJpegLs(DcmDataset& ds, const DicomHeader& h, int& planar);

/// Decode JPEG 2000 pixel data with OpenJPEG: frames of Rows x Columns x
/// Samples (interleaved), BitsAllocated-wide little-endian samples;
/// `photometric` is set to what the decoded samples are (YBR_RCT/ICT
/// become RGB). Throws IoError naming the file on damaged streams or
/// streams that disagree with the header.
std::vector<uint8_t> decodeJpeg2000(DcmDataset& ds, const DicomHeader& h, std::string& photometric);

} // namespace medulla::detail
