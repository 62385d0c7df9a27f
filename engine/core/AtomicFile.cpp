#include "engine/core/AtomicFile.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "engine/core/Error.h"

namespace fs = std::filesystem;

namespace medulla {

void writeAtomically(const std::string& path, const std::function<void(const std::string&)>& write,
                     const std::string& tmpSuffix) {
    static std::atomic<uint64_t> counter{0}; // threads may write the same target at once
    const fs::path target(path);
    std::error_code ec;
    if (target.has_parent_path() && !fs::exists(target.parent_path()))
        fs::create_directories(target.parent_path(), ec);
    if (ec)
        throw IoError("cannot create the folder: " + ec.message(), path);
    const fs::path tmp = target.parent_path() /
                         ("." + target.filename().string() + ".tmp" + std::to_string(getpid()) +
                          "-" + std::to_string(++counter) + tmpSuffix);
    try {
        write(tmp.string());
    } catch (const IoError& e) {
        fs::remove(tmp, ec);
        throw IoError(e.message(), path, e.field());
    } catch (const std::exception& e) {
        fs::remove(tmp, ec);
        throw IoError(std::string("cannot write: ") + e.what(), path);
    }
    fs::rename(tmp, target, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        throw IoError("cannot move the written file into place: " + ec.message(), path);
    }
}

void writeTextAtomically(const std::string& path, const std::string& contents) {
    writeAtomically(path, [&](const std::string& tmp) {
        std::ofstream f(tmp, std::ios::binary);
        f << contents;
        f.flush();
        if (!f)
            throw IoError("write failed (disk full?)", tmp);
    });
}

} // namespace medulla
