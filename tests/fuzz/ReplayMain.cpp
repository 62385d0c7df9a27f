/// A deterministic stand-in for libFuzzer's driver, so that every build
/// (GCC included) runs the fuzz targets over their seed corpus and a fixed
/// set of mutations of it: byte flips, random bytes, truncations, repeated
/// and zeroed ranges. A crash or an uncaught non-medulla exception fails it.
///
///   fuzz_<reader>_replay [--mutations N] [--seed S] FILE...
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

struct Rng {
    uint64_t s;
    uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    size_t below(size_t n) { return n ? size_t(next() % n) : 0; }
};

std::vector<uint8_t> mutate(std::vector<uint8_t> d, Rng& rng) {
    if (d.empty())
        return d;
    switch (rng.below(5)) {
    case 0: // flip a few bits, biased to the header
        for (int i = 0, n = 1 + int(rng.below(8)); i < n; ++i)
            d[rng.below(std::min<size_t>(d.size(), rng.below(2) ? 1024 : d.size()))] ^=
                uint8_t(1u << rng.below(8));
        break;
    case 1: // random bytes
        for (int i = 0, n = 1 + int(rng.below(16)); i < n; ++i)
            d[rng.below(d.size())] = uint8_t(rng.next());
        break;
    case 2: // truncate
        d.resize(rng.below(d.size()));
        break;
    case 3: { // repeat a range
        const size_t a = rng.below(d.size()), len = rng.below(std::min<size_t>(256, d.size() - a));
        d.insert(d.begin() + long(a), d.begin() + long(a), d.begin() + long(a + len));
        break;
    }
    default: { // 0x00 / 0xFF run (lengths and counts)
        const size_t a = rng.below(d.size()), len = 1 + rng.below(8);
        const uint8_t v = rng.below(2) ? 0xFF : 0x00;
        for (size_t i = a; i < std::min(d.size(), a + len); ++i)
            d[i] = v;
    }
    }
    return d;
}

} // namespace

int main(int argc, char** argv) {
    int mutations = 100;
    uint64_t seed = 1;
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--mutations" && i + 1 < argc)
            mutations = std::atoi(argv[++i]);
        else if (a == "--seed" && i + 1 < argc)
            seed = std::strtoull(argv[++i], nullptr, 10);
        else
            files.push_back(a);
    }
    Rng rng{seed * 0x9E3779B97F4A7C15ull + 1};
    long runs = 0;
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "missing seed %s\n", f.c_str());
            return 2;
        }
        const std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), {});
        LLVMFuzzerTestOneInput(data.data(), data.size());
        ++runs;
        for (int m = 0; m < mutations; ++m) {
            std::vector<uint8_t> d = mutate(data, rng);
            for (int extra = int(rng.below(3)); extra > 0; --extra)
                d = mutate(std::move(d), rng);
            LLVMFuzzerTestOneInput(d.data(), d.size());
            ++runs;
        }
    }
    std::printf("fuzz replay: %ld inputs from %zu seeds, no crash\n", runs, files.size());
    return 0;
}
