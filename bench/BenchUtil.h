#pragma once
/// What every benchmark program prints beside its timings: a stopwatch,
/// medians, the peak resident set size and the load average (so a figure
/// taken on a busy machine can be told apart). Header-only, no LibTorch, so
/// the compute-only GPU bench uses it too.

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <vector>

namespace medulla::bench {

/// Seconds since construction or the last restart().
class Stopwatch {
public:
    Stopwatch() : start_(std::chrono::steady_clock::now()) {}
    void restart() { start_ = std::chrono::steady_clock::now(); }
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

private:
    std::chrono::steady_clock::time_point start_;
};

/// The median (mean of the middle two for an even count); 0 when empty.
inline double median(std::vector<double> v) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// Runs fn() `warmup` times untimed, then `repeats` times, and returns the
/// seconds of each timed run.
template <class Fn> std::vector<double> timeRepeats(Fn&& fn, int repeats, int warmup = 0) {
    for (int i = 0; i < warmup; ++i)
        fn();
    std::vector<double> seconds;
    for (int i = 0; i < repeats; ++i) {
        Stopwatch watch;
        fn();
        seconds.push_back(watch.seconds());
    }
    return seconds;
}

/// Peak resident set size of this process in MB (ru_maxrss).
inline double peakRssMb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024.0;
}

/// The 1, 5 and 15 minute load averages (empty where /proc is missing).
inline std::vector<double> loadavg() {
    std::vector<double> v(3, 0.0);
    if (std::ifstream f{"/proc/loadavg"}) {
        f >> v[0] >> v[1] >> v[2];
        return v;
    }
    return {};
}

} // namespace medulla::bench
