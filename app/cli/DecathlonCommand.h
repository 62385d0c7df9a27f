#pragma once
/// `medulla decathlon --task Task09_Spleen --root DIR [--download]`: fetch,
/// verify and extract a Medical Segmentation Decathlon task and print its
/// training / validation / test split. Ctrl-C cancels cleanly (a partial
/// download is kept and resumed by the next run).

#include <cstdint>
#include <string>

namespace medulla::cli {

struct DecathlonArgs {
    std::string task;
    std::string root;
    std::string section = "training"; ///< the section whose cases --list prints
    bool download = false;
    bool list = false; ///< print the cases of `section`
    std::string url;   ///< archive URL override (mirror)
    std::string md5;   ///< archive MD5 override
    uint64_t seed = 0; ///< training/validation shuffle seed
    double valFrac = 0.2;
};

/// Returns the process exit code (0, or 130 when cancelled); prints progress
/// and the summary to stdout. Throws medulla::Error on failure (main prints it).
int runDecathlon(const DecathlonArgs& args);

} // namespace medulla::cli
