#include "engine/data/Archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <vector>

#include "engine/core/Error.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

struct ReaderDeleter {
    void operator()(struct archive* a) const { archive_read_free(a); }
};
struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

/// A relative path with no `..`, empty or absolute part; "./" prefixes are
/// dropped. Returns false for anything else.
bool safeRelative(const std::string& raw, fs::path* out) {
    if (raw.empty() || raw[0] == '/' || raw[0] == '\\')
        return false;
    fs::path result;
    for (const auto& part : fs::path(raw)) {
        const std::string s = part.string();
        if (s == "..")
            return false;
        if (s.empty() || s == ".")
            continue;
        if (s.find(':') != std::string::npos && result.empty() && s.size() == 2)
            return false; // "C:" drive prefix
        result /= part;
    }
    *out = result;
    return true;
}

/// True if `target`, seen from the folder holding `entry`, stays inside the root.
bool linkStaysInside(const fs::path& entry, const std::string& target) {
    if (target.empty() || target[0] == '/')
        return false;
    int depth = 0;
    for (const auto& part : entry.parent_path() / fs::path(target)) {
        const std::string s = part.string();
        if (s == "..")
            --depth;
        else if (!s.empty() && s != ".")
            ++depth;
        if (depth < 0)
            return false;
    }
    return true;
}

std::string errorText(struct archive* a) {
    const char* s = archive_error_string(a);
    return s ? s : "unknown libarchive error";
}

std::string randomSuffix() {
    std::random_device rd;
    std::mt19937_64 rng((uint64_t(rd()) << 32) ^ rd());
    char s[17];
    std::snprintf(s, sizeof s, "%016llx", static_cast<unsigned long long>(rng()));
    return s;
}

class Extractor {
public:
    Extractor(std::string archive, fs::path root, ProgressSink& progress, const CancelToken* cancel)
        : archive_(std::move(archive)), root_(std::move(root)), progress_(progress),
          cancel_(cancel) {}

    void run() {
        std::unique_ptr<struct archive, ReaderDeleter> a(archive_read_new());
        if (!a)
            fail("libarchive could not create a reader");
        archive_read_support_filter_all(a.get());
        archive_read_support_format_all(a.get());
        if (archive_read_open_filename(a.get(), archive_.c_str(), 1 << 16) != ARCHIVE_OK)
            fail(std::string("cannot open the archive: ") + errorText(a.get()));
        std::error_code ec;
        total_ = int64_t(fs::file_size(archive_, ec));
        int64_t entries = 0;
        for (;;) {
            poll();
            struct archive_entry* entry = nullptr;
            const int r = archive_read_next_header(a.get(), &entry);
            if (r == ARCHIVE_EOF)
                break;
            if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
                fail("corrupt or truncated archive " +
                     (entries == 0 ? std::string("at its start")
                                   : "after the entry \"" + currentEntry_ + "\"") +
                     ": " + errorText(a.get()));
            ++entries;
            extractEntry(a.get(), entry);
            report(a.get());
        }
        if (entries == 0)
            fail("the archive holds no entries");
    }

private:
    [[noreturn]] void fail(const std::string& message) const { throw IoError(message, archive_); }

    void poll() const {
        if (cancel_)
            cancel_->throwIfCancelled();
    }

    void report(struct archive* a) {
        const int64_t consumed = archive_filter_bytes(a, -1);
        const double fraction = total_ > 0 ? std::min(1.0, double(consumed) / double(total_)) : 0.0;
        if (fraction - lastFraction_ < 0.001 && fraction < 1.0)
            return;
        lastFraction_ = fraction;
        progress_.progress(fraction, "extracting " + fs::path(archive_).filename().string() + ": " +
                                         currentEntry_);
    }

    void extractEntry(struct archive* a, struct archive_entry* entry) {
        const char* rawName = archive_entry_pathname(entry);
        currentEntry_ = rawName ? rawName : "";
        fs::path rel;
        if (!safeRelative(currentEntry_, &rel))
            fail("refusing the entry \"" + currentEntry_ +
                 "\": absolute paths and \"..\" components could write outside " + root_.string());
        if (rel.empty())
            return; // "./" itself
        const fs::path target = root_ / rel;
        std::error_code ec;
        if (const char* hard = archive_entry_hardlink(entry)) {
            fs::path from;
            if (!safeRelative(hard, &from))
                fail("refusing the hard link \"" + currentEntry_ + "\" to \"" + hard + "\"");
            fs::create_directories(target.parent_path(), ec);
            fs::copy_file(root_ / from, target, fs::copy_options::overwrite_existing, ec);
            if (ec)
                fail("cannot create \"" + currentEntry_ + "\" as a copy of \"" + hard +
                     "\": " + ec.message());
            return;
        }
        switch (archive_entry_filetype(entry)) {
        case AE_IFDIR:
            fs::create_directories(target, ec);
            if (ec)
                fail("cannot create the folder \"" + currentEntry_ + "\": " + ec.message());
            return;
        case AE_IFREG:
            writeFile(a, target);
            return;
        case AE_IFLNK: {
            const char* to = archive_entry_symlink(entry);
            if (!linkStaysInside(rel, to ? to : ""))
                fail("refusing the symbolic link \"" + currentEntry_ + "\" -> \"" + (to ? to : "") +
                     "\": it points outside the archive");
            return; // links inside are skipped: datasets hold regular files only
        }
        default:
            return; // devices, FIFOs, sockets
        }
    }

    void writeFile(struct archive* a, const fs::path& target) {
        std::error_code ec;
        fs::create_directories(target.parent_path(), ec);
        if (ec)
            fail("cannot create the folder of \"" + currentEntry_ + "\": " + ec.message());
        std::unique_ptr<std::FILE, FileCloser> f(std::fopen(target.c_str(), "wb"));
        if (!f)
            fail("cannot write \"" + currentEntry_ + "\": " + std::strerror(errno));
        std::vector<char> buffer(size_t(1) << 16);
        for (;;) {
            poll();
            const la_ssize_t n = archive_read_data(a, buffer.data(), buffer.size());
            if (n == 0)
                break;
            if (n < 0)
                fail("corrupt or truncated archive in the entry \"" + currentEntry_ +
                     "\": " + errorText(a));
            if (std::fwrite(buffer.data(), 1, size_t(n), f.get()) != size_t(n))
                fail("cannot write \"" + currentEntry_ + "\": " + std::strerror(errno));
            report(a);
        }
        std::FILE* raw = f.release();
        if (std::fclose(raw) != 0)
            fail("cannot write \"" + currentEntry_ + "\": " + std::strerror(errno));
    }

    std::string archive_;
    fs::path root_;
    ProgressSink& progress_;
    const CancelToken* cancel_;
    std::string currentEntry_;
    int64_t total_ = 0;
    double lastFraction_ = -1.0;
};

} // namespace

void extractArchive(const std::string& archive, const std::string& destinationDir,
                    ProgressSink& progress, const CancelToken* cancel) {
    const fs::path dest = fs::path(destinationDir).lexically_normal();
    std::error_code ec;
    if (!fs::is_regular_file(archive, ec))
        throw IoError("the archive does not exist", archive);
    if (fs::exists(dest, ec) && !(fs::is_directory(dest, ec) && fs::is_empty(dest, ec)))
        throw IoError("will not extract over the existing " + dest.string(), archive);
    const fs::path parent = dest.has_parent_path() ? dest.parent_path() : fs::path(".");
    fs::create_directories(parent, ec);
    fs::path temp;
    for (int i = 0;; ++i) {
        temp = parent / (dest.filename().string() + ".partial-" + randomSuffix());
        if (fs::create_directory(temp, ec))
            break;
        if (i == 10)
            throw IoError("cannot create a temporary folder beside " + dest.string() + ": " +
                              ec.message(),
                          archive);
    }
    try {
        Extractor(archive, temp, progress, cancel).run();
        fs::remove(dest, ec); // an empty folder (checked above) or nothing
        fs::rename(temp, dest, ec);
        if (ec)
            throw IoError("cannot move the extracted files to " + dest.string() + ": " +
                              ec.message(),
                          archive);
    } catch (...) {
        fs::remove_all(temp, ec);
        throw;
    }
    progress.progress(1.0, "extracted " + fs::path(archive).filename().string());
}

} // namespace medulla
