/// Times DiceMetric and HausdorffDistanceMetric(percentile 95) on the work of
/// shared/bench/monai/bench_dice.py: one 256x256x128 label pair, gt from
/// MONAI's create_test_image_3d(256, 256, 128, num_objs=12, rad_max=30,
/// rad_min=10, noise_max=0, num_seg_classes=1,
/// random_state=np.random.RandomState(seed)) (re-implemented below with
/// numpy's legacy RandomState draws, so the labels are identical), pred = gt
/// rolled by (3, -2, 1); both one-hot (1, 2, H, W, D) float32 (not timed).
/// Timed: metric(y_pred, y); aggregate(); reset() for each metric built
/// through metricRegistry() with include_background=false, median of
/// --repeats after one warm-up. Prints one JSON line.
///
///   bench_dice [--shape 256 256 128] [--repeats 5] [--threads 2] [--seed 0]
///              [--shift 3 -2 1]

#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sys/resource.h>

#include "bench/BenchUtil.h"
#include "engine/core/Threads.h"
#include "engine/metrics/Metric.h"

using namespace medulla;

namespace {

/// numpy.random.RandomState's legacy draws on the same MT19937 stream
/// (RandomState(seed) seeds it like std::mt19937(seed)).
class LegacyRandomState {
public:
    explicit LegacyRandomState(uint32_t seed) : mt_(seed) {}

    /// randint(low, high) for int64: masked rejection sampling of 32-bit
    /// outputs over [0, high - 1 - low].
    int64_t randint(int64_t low, int64_t high) {
        const uint64_t range = uint64_t(high - 1 - low);
        if (range == 0)
            return low;
        uint64_t mask = range;
        for (int s = 1; s < 64; s *= 2)
            mask |= mask >> s;
        uint64_t v;
        do
            v = uint64_t(mt_()) & mask;
        while (v > range);
        return low + int64_t(v);
    }

    /// random(): 53-bit double from two 32-bit outputs.
    double random() {
        const uint32_t a = mt_() >> 5, b = mt_() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

private:
    std::mt19937 mt_;
};

/// The label volume of create_test_image_3d with num_seg_classes=1 (1
/// inside any sphere), uint8 (H, W, D).
at::Tensor testLabels3d(int64_t h, int64_t w, int64_t d, int numObjs, int64_t radMax,
                        int64_t radMin, uint32_t seed) {
    if (std::min({h, w, d}) <= 2 * radMax)
        throw std::invalid_argument("the shape must exceed 2 * rad_max on every axis");
    LegacyRandomState rs(seed);
    at::Tensor labels = torch::zeros({h, w, d}, torch::kByte);
    auto acc = labels.accessor<uint8_t, 3>();
    for (int o = 0; o < numObjs; ++o) {
        const int64_t x = rs.randint(radMax, h - radMax), y = rs.randint(radMax, w - radMax),
                      z = rs.randint(radMax, d - radMax), rad = rs.randint(radMin, radMax);
        for (int64_t i = x - rad; i <= x + rad; ++i)
            for (int64_t j = y - rad; j <= y + rad; ++j)
                for (int64_t k = z - rad; k <= z + rad; ++k)
                    if ((i - x) * (i - x) + (j - y) * (j - y) + (k - z) * (k - z) <= rad * rad)
                        acc[i][j][k] = 1;
        rs.random(); // the sphere's intensity: drawn, not needed for the labels
    }
    return labels;
}

/// Fingerprint of a label volume, also printable from numpy: the sums of
/// the flat indices and of their squares (mod 2^64) over the foreground.
std::pair<uint64_t, uint64_t> indexChecksum(const at::Tensor& labels) {
    const uint8_t* p = labels.contiguous().data_ptr<uint8_t>();
    uint64_t s1 = 0, s2 = 0;
    for (int64_t i = 0; i < labels.numel(); ++i)
        if (p[i]) {
            s1 += uint64_t(i);
            s2 += uint64_t(i) * uint64_t(i);
        }
    return {s1, s2};
}

struct Timing {
    double value = 0;
    std::vector<double> seconds;
    double median() const { return bench::median(seconds); }
};

Timing timeMetric(const nlohmann::json& config, const at::Tensor& pred, const at::Tensor& gt,
                  int repeats) {
    MetricPtr metric = metricRegistry().create(config, "metric");
    auto once = [&] {
        (*metric)(pred, gt);
        const double v = metric->aggregate().at(0).value.item<double>();
        metric->reset();
        return v;
    };
    Timing t;
    t.value = once(); // warm-up
    t.seconds = bench::timeRepeats(once, repeats);
    return t;
}

using bench::loadavg;

double rounded(double v, int digits) {
    const double s = std::pow(10.0, digits);
    return std::round(v * s) / s;
}

nlohmann::json report(const Timing& t, int valueDigits, int timeDigits) {
    std::vector<double> all;
    for (double s : t.seconds)
        all.push_back(rounded(s, timeDigits));
    return {{"value", rounded(t.value, valueDigits)},
            {"s_median", rounded(t.median(), timeDigits)},
            {"s_all", all}};
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"DiceMetric + HausdorffDistanceMetric(percentile 95) benchmark"};
    std::vector<int64_t> shape = {256, 256, 128};
    int repeats = 5, threads = 2, seed = 0;
    app.add_option("--shape", shape)->expected(3);
    app.add_option("--repeats", repeats);
    app.add_option("--threads", threads);
    app.add_option("--seed", seed);
    std::vector<int64_t> shift = {3, -2, 1};
    app.add_option("--shift", shift, "pred = roll(gt, shift) (MONAI's script: 3 -2 1)")
        ->expected(3);
    CLI11_PARSE(app, argc, argv);
    threads = configureThreads(threads);

    const at::Tensor gt = testLabels3d(shape[0], shape[1], shape[2], 12, 30, 10, uint32_t(seed));
    const at::Tensor pred = gt.roll(shift, {0, 1, 2});
    auto oneHot = [](const at::Tensor& l) {
        return torch::stack({l.eq(0), l.eq(1)}).unsqueeze(0).to(torch::kFloat).contiguous();
    };
    const at::Tensor gtT = oneHot(gt), predT = oneHot(pred);

    const auto loadBefore = loadavg();
    const Timing dice =
        timeMetric({{"name", "DiceMetric"}, {"include_background", false}}, predT, gtT, repeats);
    const Timing hd = timeMetric(
        {{"name", "HausdorffDistanceMetric"}, {"include_background", false}, {"percentile", 95}},
        predT, gtT, repeats);
    const auto [sum1, sum2] = indexChecksum(gt);
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const nlohmann::json out = {{"bench", "dice_hd95"},
                                {"tensor_shape", gtT.sizes().vec()},
                                {"gt_fg_voxels", gt.sum().item<int64_t>()},
                                {"gt_index_sums", {sum1, sum2}},
                                {"dice", report(dice, 6, 4)},
                                {"hd95", report(hd, 4, 3)},
                                {"loadavg_before", loadBefore},
                                {"loadavg_after", loadavg()},
                                {"peak_rss_mb", rounded(double(ru.ru_maxrss) / 1024.0, 1)},
                                {"torch_threads", threads},
                                {"seed", seed},
                                {"shift", shift}};
    std::printf("%s\n", out.dump().c_str());
    return 0;
}
