#pragma once
/// `medulla score`: per-case segmentation scores between predicted and
/// reference label maps (NIfTI or any readable image), spacing taken from
/// the files, printed as a table with the mean of each column and written as
/// CSV (engine/metrics/CaseScorer.h).
///
///   medulla score --pred PRED --label LABEL [--scores dice,hd95,asd,nsd]
///                 [--classes N] [--include-background] [--nsd-tolerance MM]
///                 [--csv FILE]
///
/// PRED and LABEL are two files, or two folders whose image files are paired
/// by name (every label needs a prediction of the same name).

#include <string>
#include <vector>

namespace medulla::cli {

struct ScoreArgs {
    std::string pred;
    std::string label;
    std::vector<std::string> scores = {"dice", "hd95", "asd"};
    int classes = 0; ///< 0: largest label found + 1
    bool includeBackground = false;
    double nsdTolerance = 1.0;
    std::string csv;
};

/// Returns the exit code; throws medulla::Error naming the file or field.
int runScore(const ScoreArgs& args);

} // namespace medulla::cli
