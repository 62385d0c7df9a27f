#pragma once
/// `medulla info PATH [--json] [--reader NAME] [--series UID]`: what a file
/// or DICOM folder holds. A folder with several series prints the study
/// index (patients, studies, series) instead of one image.

#include <string>

namespace medulla::cli {

struct InfoArgs {
    std::string path;
    bool json = false;
    std::string reader; ///< force a reader by name
    std::string series; ///< SeriesInstanceUID in a folder
    bool thumbnails = false;
};

/// Returns the process exit code; prints to stdout, errors to stderr.
int runInfo(const InfoArgs& args);

} // namespace medulla::cli
