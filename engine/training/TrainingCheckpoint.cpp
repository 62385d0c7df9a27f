#include "engine/training/TrainingCheckpoint.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/types.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"
#include "engine/training/Workflow.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

constexpr const char* kFormat = "medulla.training_checkpoint";
const char* const kReserved[] = {"format", "version", "experiment",
                                 "parts",  "epoch",   "best_metric"};

/// Writes through a file descriptor, remembering the first error. It always
/// reports success to the archive writer: LibTorch's writer throws on a
/// short write and then throws again from its destructor (std::terminate),
/// so after an error the rest is discarded and the caller checks `error`.
struct FdWriter {
    int fd = -1;
    int error = 0;
    size_t operator()(const void* data, size_t n) {
        const char* p = static_cast<const char*>(data);
        size_t left = error ? 0 : n;
        while (left > 0) {
            const ssize_t w = ::write(fd, p, left);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                error = errno;
                break;
            }
            p += w;
            left -= size_t(w);
        }
        return n;
    }
};

/// The temporary file's archive, fsync'ed. Throws IoError with the cause.
void writeArchive(torch::serialize::OutputArchive& archive, const std::string& tmp) {
    FdWriter writer;
    writer.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (writer.fd < 0)
        throw IoError(std::string("cannot create a temporary file: ") + std::strerror(errno));
    std::string failure;
    try {
        archive.save_to([&writer](const void* data, size_t n) { return writer(data, n); });
    } catch (const c10::Error& e) {
        failure = e.what_without_backtrace();
    }
    if (writer.error)
        failure = std::strerror(writer.error);
    if (failure.empty() && ::fsync(writer.fd) != 0)
        failure = std::string("fsync failed: ") + std::strerror(errno);
    if (::close(writer.fd) != 0 && failure.empty())
        failure = std::string("close failed: ") + std::strerror(errno);
    if (!failure.empty())
        throw IoError(failure);
}

/// fsync the folder so that the rename itself survives a power cut.
void syncFolder(const fs::path& file) {
    const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd); // best effort: some file systems refuse fsync on folders
        ::close(fd);
    }
}

std::string readString(torch::serialize::InputArchive& archive, const std::string& key) {
    c10::IValue v;
    if (!archive.try_read(key, v) || !v.isString())
        return {};
    return v.toStringRef();
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? "nothing" : out;
}

/// Opens `path` and checks that it is a training checkpoint this code reads.
void openChecked(torch::serialize::InputArchive& root, const std::string& path,
                 std::optional<torch::Device> device, CheckpointHeader& header) {
    if (!fs::exists(path))
        throw IoError("the checkpoint does not exist", path);
    try {
        // c10::optional is not std::optional in LibTorch 1.x
        root.load_from(path, device ? c10::optional<torch::Device>(*device) : c10::nullopt);
    } catch (const c10::Error& e) {
        throw IoError(std::string("not a readable checkpoint (truncated or another format?): ") +
                          e.what_without_backtrace(),
                      path);
    }
    if (readString(root, "format") != kFormat)
        throw IoError("not a Medulla training checkpoint (no \"format\" entry: a weights file, or "
                      "a checkpoint written before exact resume existed); it holds no state "
                      "to resume from",
                      path);
    c10::IValue version;
    if (!root.try_read("version", version) || !version.isInt())
        throw IoError("the checkpoint has no format version", path);
    header.version = version.toInt();
    if (header.version > TrainingCheckpoint::kFormatVersion)
        throw IoError("written by a newer Medulla (checkpoint format " +
                          std::to_string(header.version) + ", this one reads up to " +
                          std::to_string(TrainingCheckpoint::kFormatVersion) + ")",
                      path);
    try {
        const std::string experiment = readString(root, "experiment");
        if (!experiment.empty())
            header.experiment = Json::parse(experiment);
        header.parts = Json::parse(readString(root, "parts")).get<std::vector<std::string>>();
    } catch (const Json::exception& e) {
        throw IoError(std::string("corrupt checkpoint header: ") + e.what(), path);
    }
}

} // namespace

void TrainingCheckpoint::add(const std::string& name, std::shared_ptr<CheckpointPart> part,
                             bool optional) {
    const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
    if (!valid)
        throw ConfigError("a checkpoint part name has letters, digits and '_' only", {}, name);
    for (const char* r : kReserved)
        if (name == r)
            throw ConfigError("is a reserved checkpoint entry, not a part name", {}, name);
    if (has(name))
        throw ConfigError("the checkpoint already has a part of this name", {}, name);
    if (!part)
        throw ConfigError("null checkpoint part", {}, name);
    entries_.push_back({name, std::move(part), optional});
}

bool TrainingCheckpoint::has(const std::string& name) const {
    return std::any_of(entries_.begin(), entries_.end(),
                       [&](const Entry& e) { return e.name == name; });
}

std::vector<std::string> TrainingCheckpoint::partNames() const {
    std::vector<std::string> names;
    for (const auto& e : entries_)
        names.push_back(e.name);
    return names;
}

void TrainingCheckpoint::save(const std::string& path) const {
    torch::serialize::OutputArchive root;
    root.write("format", c10::IValue(std::string(kFormat)));
    root.write("version", c10::IValue(kFormatVersion));
    root.write("experiment",
               c10::IValue(experiment_.is_null() ? std::string() : experiment_.dump()));
    Json names = Json::array();
    try {
        for (const auto& e : entries_) {
            torch::serialize::OutputArchive sub(root.compilation_unit());
            e.part->save(sub);
            root.write(e.name, sub);
            names.push_back(e.name);
        }
    } catch (const c10::Error& e) {
        throw IoError(std::string("cannot serialise the training state: ") +
                          e.what_without_backtrace(),
                      path);
    }
    root.write("parts", c10::IValue(names.dump()));
    if (progress_) {
        const WorkflowState& s = progress_->state();
        const bool complete = s.epochLength > 0 && s.epochIteration >= s.epochLength;
        root.write("epoch", torch::tensor(complete ? s.epoch : s.epoch - 1, torch::kLong));
        root.write("best_metric", torch::tensor(s.bestMetric, torch::kDouble));
    }
    const bool hadPrevious = fs::exists(path);
    try {
        writeAtomically(path, [&](const std::string& tmp) { writeArchive(root, tmp); });
    } catch (const IoError& e) {
        throw IoError("could not write the checkpoint (" + e.message() + "); " +
                          (hadPrevious ? "the previous checkpoint in this file is intact"
                                       : "no file was left behind"),
                      path);
    }
    syncFolder(path);
}

std::vector<std::string> TrainingCheckpoint::load(const std::string& path,
                                                  const LoadOptions& options) const {
    std::vector<std::string> selected = options.parts;
    if (selected.empty())
        selected = partNames();
    for (const auto& n : selected)
        if (!has(n))
            throw ConfigError("this run has no checkpoint part \"" + n + "\" (it has " +
                                  joined(partNames()) + ")",
                              path, "parts");
    const std::optional<torch::Device> device =
        options.map_location ? options.map_location : defaultDevice_;
    torch::serialize::InputArchive root;
    CheckpointHeader header;
    openChecked(root, path, device, header);

    std::vector<std::string> notes;
    for (const auto& e : entries_) {
        if (std::find(selected.begin(), selected.end(), e.name) == selected.end())
            continue;
        if (std::find(header.parts.begin(), header.parts.end(), e.name) == header.parts.end()) {
            if (e.optional) {
                notes.push_back(e.name + ": not in the checkpoint; left as it is");
                continue;
            }
            throw ConfigError("not in the checkpoint, which holds " + joined(header.parts), path,
                              e.name);
        }
        PartLoadContext context;
        context.file = path;
        context.name = e.name;
        context.strict = options.strict;
        context.device = device;
        context.notes = &notes;
        try {
            torch::serialize::InputArchive sub;
            root.read(e.name, sub);
            e.part->load(sub, context);
        } catch (const c10::Error& err) {
            throw IoError(std::string("unreadable: ") + err.what_without_backtrace(), path, e.name);
        } catch (const Json::exception& err) {
            throw IoError(std::string("unreadable: ") + err.what(), path, e.name);
        }
    }
    return notes;
}

CheckpointHeader TrainingCheckpoint::readHeader(const std::string& path) {
    torch::serialize::InputArchive root;
    CheckpointHeader header;
    openChecked(root, path, torch::Device(torch::kCPU), header);
    if (std::find(header.parts.begin(), header.parts.end(), "progress") != header.parts.end()) {
        try {
            torch::serialize::InputArchive sub;
            root.read("progress", sub);
            header.progress = Json::parse(readString(sub, "json"));
        } catch (const std::exception&) {
            header.progress = nullptr; // another kind of part under that name
        }
    }
    return header;
}

} // namespace medulla
