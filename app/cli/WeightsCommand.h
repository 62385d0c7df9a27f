#pragma once
/// `medulla weights import|export`: move a network's weights between
/// PyTorch/MONAI files and Medulla checkpoints (engine/training/
/// WeightsTransfer.h), and `medulla weights check` to compare a file with a
/// network without writing anything.
///
///   medulla weights import  MONAI.pt   --network NET.json -o model.ckpt
///   medulla weights export  model.ckpt --network NET.json -o monai_state.pt
///   medulla weights check   FILE.pt    --network NET.json

#include <string>

namespace medulla::cli {

struct WeightsArgs {
    std::string action; ///< import, export, check
    std::string input;
    std::string network; ///< JSON file: a network object or an experiment
    std::string output;
};

/// Returns the exit code; prints a summary. Throws medulla::Error naming the
/// file or field on failure (main prints it).
int runWeights(const WeightsArgs& args);

} // namespace medulla::cli
