/// Writes the event file that tests/data/tensorboard/read_events.py checks:
///   write_tensorboard_sample <logDir>
/// prints the file's path. The script holds the same list of scalars.

#include <cmath>
#include <cstdio>
#include <exception>

#include "engine/training/TensorBoardWriter.h"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: write_tensorboard_sample <logDir>\n");
        return 2;
    }
    try {
        medulla::TensorBoardWriter writer(argv[1]);
        for (int step = 0; step < 10; ++step) // an epoch loss curve
            writer.addScalar("train/loss", 1.0 / (step + 1), step, 1700000000.0 + step);
        writer.addScalar("val/mean_dice", 0.8125, 9, 1700000100.5);
        writer.addScalar("lr", 1e-4, 9, 1700000100.5);
        writer.addScalar("Dice/\xc2\xb5", -2.5, -1, 1.0);
        writer.addScalar("big_step", 3.0, int64_t(1) << 40, 2.0);
        writer.close();
        std::printf("%s\n", writer.path().c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
