#include "engine/data/CacheFill.h"

#include <ATen/ATen.h>

#include <atomic>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

#include "engine/core/Error.h"
#include "engine/data/Dataset.h"

namespace medulla {

void forEachItem(size_t n, int workers, const std::function<void(size_t)>& fn,
                 ProgressSink& progress, const CancelToken* cancel, const std::string& verb) {
    if (workers <= 0)
        workers = int(std::max(1u, std::thread::hardware_concurrency()));
    workers = int(std::min<size_t>(size_t(workers), std::max<size_t>(n, 1)));
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex mutex; // guards error, done and progress calls
    std::exception_ptr error;
    size_t done = 0;
    auto work = [&] {
        for (;;) {
            if (stop.load() || (cancel && cancel->isCancelled()))
                return;
            const size_t i = next.fetch_add(1);
            if (i >= n)
                return;
            try {
                fn(i);
            } catch (...) {
                std::lock_guard<std::mutex> lock(mutex);
                if (!error)
                    error = std::current_exception();
                stop = true;
                return;
            }
            std::lock_guard<std::mutex> lock(mutex);
            ++done;
            progress.progress(double(done) / double(n),
                              verb + " " + std::to_string(done) + "/" + std::to_string(n));
        }
    };
    std::vector<std::thread> threads;
    for (int w = 1; w < workers; ++w)
        threads.emplace_back(work);
    work(); // the calling thread is a worker too
    for (auto& t : threads)
        t.join();
    if (error)
        std::rethrow_exception(error);
    if (cancel)
        cancel->throwIfCancelled();
}

Sample prepareCacheItem(const Compose& prefix, const Sample& item) {
    const std::string file = Dataset::describe(item);
    std::vector<Sample> out = Dataset::runNamed(prefix, item, 0, file);
    if (out.size() != 1)
        throw ConfigError("a deterministic transform produced " + std::to_string(out.size()) +
                              " samples; only random transforms may multiply samples",
                          file, "transforms");
    for (auto& kv : out.front().volumes) {
        const at::Tensor& t = kv.second.data();
        if (!t.is_contiguous() || t.storage().nbytes() > t.nbytes())
            kv.second.setData(t.clone(at::MemoryFormat::Contiguous));
    }
    return std::move(out.front());
}

size_t tensorBytes(const std::vector<const Sample*>& samples) {
    std::set<const void*> seen;
    size_t bytes = 0;
    for (const Sample* s : samples)
        for (const auto& kv : s->volumes) {
            const at::Tensor& t = kv.second.data();
            if (!t.defined())
                continue;
            if (seen.insert(t.storage().data()).second)
                bytes += t.storage().nbytes();
        }
    return bytes;
}

std::vector<int64_t> tensorVersions(const Sample& sample) {
    std::vector<int64_t> v;
    for (const auto& kv : sample.volumes)
        v.push_back(kv.second.data().defined() ? kv.second.data()._version() : 0);
    return v;
}

void checkUnmodified(const Sample& sample, const std::vector<int64_t>& versions,
                     const std::string& file) {
    if (tensorVersions(sample) != versions)
        throw Error("a random transform wrote into a cached item in place (a bug: transforms must "
                    "not modify their input); the cache entry is no longer valid",
                    file);
}

} // namespace medulla
