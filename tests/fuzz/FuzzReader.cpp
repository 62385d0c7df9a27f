/// One fuzz target per reader: the input bytes are written to a file with
/// the reader's suffix and read; a medulla::Error is the expected outcome
/// for garbage, anything else (crash, sanitizer report, other exception,
/// runaway allocation) is a finding. Built as a libFuzzer target with clang
/// (MEDULLA_FUZZ=ON) and, always, with ReplayMain.cpp as a deterministic
/// mutation run that CTest executes.
///
/// MEDULLA_FUZZ_READER selects the reader: 1 DICOM, 2 NIfTI, 3 NumPy .npy,
/// 4 NumPy .npz, 5 ITK (PNG).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

#include "engine/core/Error.h"
#include "engine/io/DicomFile.h"
#include "engine/io/LoadImage.h"

namespace {

const char* suffix() {
    switch (MEDULLA_FUZZ_READER) {
    case 1:
        return ".dcm";
    case 2:
        return ".nii";
    case 3:
        return ".npy";
    case 4:
        return ".npz";
    default:
        return ".png";
    }
}

const char* readerName() {
    switch (MEDULLA_FUZZ_READER) {
    case 1:
        return "DicomReader";
    case 2:
        return "NiftiReader";
    case 3:
    case 4:
        return "NumpyReader";
    default:
        return "ITKReader";
    }
}

std::string scratchPath() {
    const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    return std::string(dir) + "/medulla-fuzz-" + std::to_string(getpid()) + suffix();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f)
        return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    try {
        if (MEDULLA_FUZZ_READER == 1)
            (void)medulla::readDicomFrames(path);
        (void)medulla::loadImageFile(path, medulla::LoadImageOptions().reader(readerName()));
    } catch (const medulla::Error&) {
        // a clear error: what garbage must produce
    }
    return 0;
}
