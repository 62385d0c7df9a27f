#pragma once
/// Internal to engine/io: opening a DICOM file with DCMTK (codecs
/// registered once, logging quiet, gzip-compressed files unpacked) and
/// extracting a DicomHeader from a data set. Not part of the public API.

#include <memory>
#include <string>

#include "engine/io/DicomFile.h"

class DcmFileFormat;

namespace medulla::detail {

/// Open `path`. With `headerOnly`, values longer than 4 KiB (the pixel
/// data) stay on disk, so only the header is parsed. Throws IoError naming
/// the file when it is missing, not DICOM, or cut short.
std::unique_ptr<DcmFileFormat> openDicom(const std::string& path, bool headerOnly);

/// The header facts of an opened file.
DicomHeader extractHeader(DcmFileFormat& file, const std::string& path);

} // namespace medulla::detail
