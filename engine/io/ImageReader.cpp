#include "engine/io/ImageReader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "engine/core/Error.h"
#include "engine/core/Strings.h"
#include "engine/io/DicomReader.h"
#include "engine/io/ItkReader.h"
#include "engine/io/NiftiReader.h"
#include "engine/io/NumpyReader.h"

namespace fs = std::filesystem;

namespace medulla {

bool FileProbe::endsWith(const std::string& suffix) const {
    return lowerName.size() >= suffix.size() &&
           lowerName.compare(lowerName.size() - suffix.size(), suffix.size(), suffix) == 0;
}

FileProbe probeFile(const std::string& path) {
    FileProbe p;
    p.path = path;
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st))
        throw IoError("file not found", path);
    p.lowerName = toLower(fs::path(path).filename().string());
    p.isDirectory = fs::is_directory(st);
    if (!p.isDirectory) {
        std::ifstream f(path, std::ios::binary);
        if (!f)
            throw IoError("cannot open the file (permissions?)", path);
        p.head.assign(512, '\0');
        f.read(p.head.data(), 512);
        p.head.resize(size_t(f.gcount()));
    }
    return p;
}

struct ReaderRegistry::Impl {
    mutable std::mutex mutex;
    std::vector<std::shared_ptr<ImageReader>> runtime; ///< newest first
    std::vector<std::shared_ptr<ImageReader>> builtin;
};

ReaderRegistry::ReaderRegistry() : impl_(std::make_shared<Impl>()) {
    impl_->builtin = {std::make_shared<NiftiReader>(), std::make_shared<NumpyReader>(),
                      std::make_shared<DicomReader>(), std::make_shared<ItkReader>()};
}

ReaderRegistry& ReaderRegistry::instance() {
    static ReaderRegistry registry;
    return registry;
}

void ReaderRegistry::add(std::shared_ptr<ImageReader> reader) {
    if (!reader)
        throw ConfigError("null reader", "reader");
    std::lock_guard<std::mutex> lock(impl_->mutex);
    const std::string n = toLower(reader->name());
    auto& r = impl_->runtime;
    r.erase(
        std::remove_if(r.begin(), r.end(), [&](const auto& x) { return toLower(x->name()) == n; }),
        r.end());
    r.insert(r.begin(), std::move(reader));
}

std::vector<std::shared_ptr<ImageReader>> ReaderRegistry::readers() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    std::vector<std::shared_ptr<ImageReader>> all = impl_->runtime;
    for (const auto& b : impl_->builtin) {
        const std::string n = toLower(b->name());
        if (std::none_of(all.begin(), all.end(),
                         [&](const auto& x) { return toLower(x->name()) == n; }))
            all.push_back(b);
    }
    return all;
}

std::shared_ptr<ImageReader> ReaderRegistry::byName(const std::string& name) const {
    const std::string n = toLower(name);
    std::string known;
    for (const auto& r : readers()) {
        if (toLower(r->name()) == n)
            return r;
        known += (known.empty() ? "" : ", ") + r->name();
    }
    throw ConfigError("unknown reader \"" + name + "\" (known: " + known + ")", "reader");
}

std::shared_ptr<ImageReader> ReaderRegistry::select(const std::string& path) const {
    const FileProbe probe = probeFile(path);
    for (const auto& r : readers())
        if (r->canRead(probe))
            return r;
    std::string formats;
    for (const auto& r : readers())
        formats += "\n  " + r->name() + ": " + r->formats();
    throw IoError("no reader recognises this file by its name or content; supported:" + formats,
                  path);
}

} // namespace medulla
