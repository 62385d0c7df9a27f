#include "engine/core/CpuAllocator.h"

#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace medulla {
namespace {

constexpr size_t kHeader = 64;                 ///< keeps c10's 64-byte alignment
constexpr size_t kMinCached = size_t(1) << 20; ///< smaller blocks go to malloc
constexpr size_t kRound = size_t(64) << 10;

int64_t defaultLimit() {
    if (const char* env = std::getenv("MEDULLA_CPU_CACHE_MB"))
        return std::max<int64_t>(0, std::atoll(env)) << 20;
    const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
    const int64_t quarter = pages > 0 && pageSize > 0 ? int64_t(pages) * pageSize / 4 : 0;
    return std::min<int64_t>(quarter, int64_t(8) << 30);
}

/// Block layout: [size_t capacity | ... header ...][data]. capacity is the
/// usable size (the rounded request).
class Allocator final : public c10::Allocator {
public:
    Allocator() : limit_(defaultLimit()) {}

    c10::DataPtr allocate(size_t n) const override {
        if (n == 0)
            return {nullptr, nullptr, &release, c10::Device(c10::DeviceType::CPU)};
        size_t capacity = n;
        void* data = nullptr;
        if (n >= kMinCached && limit_ > 0) {
            capacity = (n + kRound - 1) / kRound * kRound;
            data = self().take(capacity);
        }
        if (!data) {
            auto* base = static_cast<char*>(c10::alloc_cpu(capacity + kHeader));
            *reinterpret_cast<size_t*>(base) = capacity;
            data = base + kHeader;
        }
        const int64_t now = live_.fetch_add(int64_t(capacity)) + int64_t(capacity);
        int64_t peak = peak_.load();
        while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
        }
        return {data, data, &release, c10::Device(c10::DeviceType::CPU)};
    }
    c10::DeleterFnPtr raw_deleter() const override { return &release; }

    static Allocator& self() {
        static Allocator* a = new Allocator(); // never destroyed: blocks may outlive main
        return *a;
    }

    CpuMemoryStats stats() {
        std::lock_guard<std::mutex> lock(mutex_);
        return {live_.load(), peak_.load(), cached_, limit_, hits_, misses_};
    }
    void resetPeak() { peak_.store(live_.load()); }
    void empty() {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto& kv : free_)
            for (void* d : kv.second)
                c10::free_cpu(static_cast<char*>(d) - kHeader);
        free_.clear();
        cached_ = 0;
    }

private:
    static size_t capacityOf(void* data) {
        return *reinterpret_cast<size_t*>(static_cast<char*>(data) - kHeader);
    }

    void* take(size_t capacity) {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = free_.find(capacity);
        if (it == free_.end() || it->second.empty()) {
            ++misses_;
            return nullptr;
        }
        void* d = it->second.back();
        it->second.pop_back();
        cached_ -= int64_t(capacity);
        ++hits_;
        return d;
    }

    /// Keep the block if it is cacheable and fits under the limit.
    bool keep(void* data, size_t capacity) {
        if (capacity < kMinCached)
            return false;
        std::lock_guard<std::mutex> lock(mutex_);
        if (cached_ + int64_t(capacity) > limit_)
            return false;
        free_[capacity].push_back(data);
        cached_ += int64_t(capacity);
        return true;
    }

    static void release(void* data) {
        if (!data)
            return;
        const size_t capacity = capacityOf(data);
        live_.fetch_sub(int64_t(capacity));
        if (!self().keep(data, capacity))
            c10::free_cpu(static_cast<char*>(data) - kHeader);
    }

    static std::atomic<int64_t> live_;
    static std::atomic<int64_t> peak_;
    const int64_t limit_;
    std::mutex mutex_;
    std::unordered_map<size_t, std::vector<void*>> free_;
    int64_t cached_ = 0;
    int64_t hits_ = 0, misses_ = 0;
};

std::atomic<int64_t> Allocator::live_{0};
std::atomic<int64_t> Allocator::peak_{0};

} // namespace

void installCpuAllocator() {
    static const bool installed = [] {
        c10::SetCPUAllocator(&Allocator::self(), /*priority*/ 100);
        return true;
    }();
    (void)installed;
}

CpuMemoryStats cpuMemoryStats() {
    installCpuAllocator();
    return Allocator::self().stats();
}

void resetCpuPeak() {
    installCpuAllocator();
    Allocator::self().resetPeak();
}

void emptyCpuCache() {
    Allocator::self().empty();
}

} // namespace medulla
