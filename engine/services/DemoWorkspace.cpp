#include "engine/services/DemoWorkspace.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/core/AtomicFile.h"
#include "engine/core/Error.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

/// A link at `link` to `target`; a copy when links are not supported.
void linkOrCopy(const fs::path& target, const fs::path& link) {
    std::error_code ec;
    fs::create_directories(link.parent_path(), ec);
    if (ec)
        throw IoError("cannot create the folder: " + ec.message(), link.parent_path().string());
    fs::create_symlink(target, link, ec);
    if (!ec)
        return;
    fs::copy_file(target, link, fs::copy_options::overwrite_existing, ec);
    if (ec)
        throw IoError("cannot link or copy " + target.string() + ": " + ec.message(),
                      link.string());
}

} // namespace

std::string DemoWorkspace::builtInExperiment(const std::string& sourceResourceDir) {
    constexpr const char* kName = "demo_experiment.json";
    std::vector<fs::path> candidates;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) // <prefix>/bin/program -> <prefix>/share/medulla/
        candidates.push_back(exe.parent_path().parent_path() / "share" / "medulla" / kName);
    if (!sourceResourceDir.empty())
        candidates.push_back(fs::path(sourceResourceDir) / kName);
    std::string looked;
    for (const fs::path& c : candidates) {
        if (fs::is_regular_file(c, ec))
            return c.lexically_normal().string();
        looked += (looked.empty() ? "" : ", ") + c.string();
    }
    throw IoError("the built-in demo experiment is missing (looked at " + looked +
                      "); is medulla installed completely?",
                  kName);
}

DemoWorkspace::DemoWorkspace(const std::string& folder)
    : folder_(fs::absolute(fs::path(folder)).lexically_normal().string()) {
    while (folder_.size() > 1 && folder_.back() == '/')
        folder_.pop_back();
}

std::string DemoWorkspace::experimentFile() const {
    return folder_ + "/experiment.json";
}

std::string DemoWorkspace::studiesFolder() const {
    return folder_ + "/studies";
}

std::string DemoWorkspace::datasetFile() const {
    return studiesFolder() + "/demo-spheres/dataset.json";
}

std::string DemoWorkspace::samplesFolder() const {
    return studiesFolder() + "/samples";
}

std::string DemoWorkspace::outputDir() const {
    return folder_ + "/runs";
}

Json DemoWorkspace::experimentFor(const Json& builtIn) const {
    if (!builtIn.is_object())
        throw ConfigError("the demo experiment is not a JSON object");
    if (!builtIn.contains("data") || !builtIn["data"].is_object())
        throw ConfigError("required object is missing", {}, "data");
    Json e = builtIn;
    e["data"]["dataset"] = datasetFile();
    e["output_dir"] = outputDir();
    return e;
}

Json DemoWorkspace::prepare(const std::string& builtInFile) const {
    std::error_code ec;
    fs::create_directories(folder_, ec);
    if (ec)
        throw IoError("cannot create the workspace folder: " + ec.message(), folder_);
    const std::string target = experimentFile();
    const bool keep = fs::exists(target, ec);
    const std::string source = keep ? target : builtInFile;
    std::ifstream in(source);
    if (!in)
        throw IoError(keep ? "cannot read the workspace's experiment"
                           : "cannot read the built-in demo experiment",
                      source);
    Json j;
    try {
        in >> j;
    } catch (const std::exception& e) {
        throw IoError(std::string("not valid JSON: ") + e.what() +
                          (keep ? " (delete it to start again from the built-in demo)" : ""),
                      source);
    }
    if (keep) {
        if (!j.is_object())
            throw IoError("not an experiment (a JSON object expected); delete it to start again "
                          "from the built-in demo",
                          source);
        return j;
    }
    Json e;
    try {
        e = experimentFor(j);
    } catch (const ConfigError& err) {
        throw IoError(err.what(), source);
    }
    writeTextAtomically(target, e.dump(2) + "\n");
    return e;
}

bool DemoWorkspace::hasDataset() const {
    std::error_code ec;
    return fs::is_regular_file(datasetFile(), ec);
}

std::vector<std::string>
DemoWorkspace::linkSamples(const std::vector<SampleVolume>& samples) const {
    const fs::path root(samplesFolder());
    std::error_code ec;
    fs::remove_all(root, ec);
    if (ec)
        throw IoError("cannot clear the samples folder: " + ec.message(), root.string());
    fs::create_directories(root, ec);
    if (ec)
        throw IoError("cannot create the samples folder: " + ec.message(), root.string());
    std::vector<std::string> listed;
    std::ostringstream readme;
    readme << "Real sample volumes installed on this computer (links; rebuilt each time the\n"
              "demo workspace is opened). A label in labelsTr/ has the name of its image.\n\n";
    for (const auto& s : samples) {
        const fs::path dir = root / s.package;
        readme << s.title << " [" << s.package << "]\n";
        if (s.dicomFolder) {
            const fs::path series = dir / fs::path(s.image).filename();
            for (const auto& e : fs::directory_iterator(s.image, ec))
                if (e.is_regular_file())
                    linkOrCopy(e.path(), series / e.path().filename());
            readme << "  " << series.lexically_relative(root).string() << "/ -> " << s.image
                   << "/\n";
            listed.push_back(series.string());
            continue;
        }
        const std::string name = fs::path(s.image).filename().string();
        const fs::path image = s.label.empty() ? dir / name : dir / "imagesTr" / name;
        linkOrCopy(s.image, image);
        readme << "  " << image.lexically_relative(root).string() << " -> " << s.image << "\n";
        listed.push_back(image.string());
        if (!s.label.empty()) {
            const fs::path label = dir / "labelsTr" / name;
            linkOrCopy(s.label, label);
            readme << "  " << label.lexically_relative(root).string() << " -> " << s.label << "\n";
            listed.push_back(label.string());
        }
    }
    if (samples.empty())
        readme << "(none: install mricron-data, insighttoolkit5-examples or python3-pydicom)\n";
    writeTextAtomically((root / "README.txt").string(), readme.str());
    return listed;
}

} // namespace medulla
