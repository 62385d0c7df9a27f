#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include "engine/core/Error.h"
#include "engine/io/DicomSeries.h"

namespace fs = std::filesystem;

namespace medulla {

std::vector<std::string> listFiles(const std::string& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw IoError("not a folder", folder);
    std::vector<std::string> paths;
    for (auto it = fs::recursive_directory_iterator(
             folder, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec))
            paths.push_back(it->path().string());
    std::sort(paths.begin(), paths.end());
    return paths;
}

std::vector<DicomHeader> readDicomHeaders(const std::vector<std::string>& paths, int threads,
                                          std::vector<std::string>* errors, ProgressSink* progress,
                                          const CancelToken* cancel) {
    const size_t n = paths.size();
    std::vector<std::optional<DicomHeader>> slots(n);
    std::vector<std::string> failures(n);
    std::atomic<size_t> next{0}, done{0};
    std::atomic<bool> stop{false};
    std::mutex progressMutex;
    size_t reported = 0; // guarded by progressMutex
    auto worker = [&] {
        for (size_t i = next++; i < n && !stop; i = next++) {
            if (cancel && cancel->isCancelled()) {
                stop = true;
                break;
            }
            std::string head(132, '\0');
            {
                std::ifstream f(paths[i], std::ios::binary);
                f.read(head.data(), 132);
                head.resize(size_t(f.gcount()));
            }
            const bool gz = head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
                            static_cast<unsigned char>(head[1]) == 0x8b && paths[i].size() > 7 &&
                            paths[i].compare(paths[i].size() - 7, 7, ".dcm.gz") == 0;
            if (looksLikeDicom(head) || gz) {
                try {
                    slots[i] = readDicomHeader(paths[i]);
                } catch (const IoError& e) {
                    failures[i] = e.what();
                }
            }
            const size_t d = ++done;
            if (progress && (d % 256 == 0 || d == n)) {
                std::lock_guard<std::mutex> lock(progressMutex);
                if (d <= reported) // another thread already reported further
                    continue;
                reported = d;
                progress->progress(double(d) / double(std::max<size_t>(n, 1)),
                                   "reading DICOM headers " + std::to_string(d) + "/" +
                                       std::to_string(n));
            }
        }
    };
    int t = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
    t = int(std::min<size_t>(size_t(t), std::max<size_t>(n / 16, 1)));
    std::vector<std::thread> pool;
    for (int k = 1; k < t; ++k)
        pool.emplace_back(worker);
    worker();
    for (auto& th : pool)
        th.join();
    if (cancel)
        cancel->throwIfCancelled();
    std::vector<DicomHeader> out;
    for (size_t i = 0; i < n; ++i) {
        if (slots[i])
            out.push_back(std::move(*slots[i]));
        else if (!failures[i].empty() && errors)
            errors->push_back(failures[i]);
    }
    return out;
}

std::vector<DicomHeader> scanDicomFolder(const std::string& folder,
                                         std::vector<std::string>* errors, ProgressSink* progress,
                                         const CancelToken* cancel) {
    return readDicomHeaders(listFiles(folder), 0, errors, progress, cancel);
}

} // namespace medulla
