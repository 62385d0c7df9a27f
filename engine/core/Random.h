#pragma once
/// Seeded random numbers for reproducible experiments. Every random transform,
/// sampler and generator takes a RandomGenerator& so one seed fixes a run.

#include <cstdint>
#include <random>

namespace medulla {

class RandomGenerator {
public:
    explicit RandomGenerator(uint64_t seed = 0) : engine_(seed) {}

    void seed(uint64_t s) { engine_.seed(s); }
    /// Uniform integer in [lo, hi) (hi > lo).
    int64_t integer(int64_t lo, int64_t hi) {
        return std::uniform_int_distribution<int64_t>(lo, hi - 1)(engine_);
    }
    /// Uniform real in [lo, hi).
    double uniform(double lo = 0.0, double hi = 1.0) {
        return std::uniform_real_distribution<double>(lo, hi)(engine_);
    }
    /// Standard normal.
    double normal(double mean = 0.0, double stddev = 1.0) {
        return std::normal_distribution<double>(mean, stddev)(engine_);
    }
    /// A fresh 64-bit seed for a child generator (e.g. one per worker).
    uint64_t nextSeed() { return engine_(); }

    std::mt19937_64& engine() { return engine_; }

private:
    std::mt19937_64 engine_;
};

/// splitmix64 finaliser: a well-mixed 64-bit seed from a combination of
/// values (e.g. mixSeed(seed ^ mixSeed(epoch))). Pure, thread-safe.
inline uint64_t mixSeed(uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/// Seed LibTorch's global generator (network initialisation, dropout).
void seedTorch(uint64_t seed);

} // namespace medulla
