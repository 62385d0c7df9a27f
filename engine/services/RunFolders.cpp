#include "engine/services/RunFolders.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "engine/core/Error.h"

namespace fs = std::filesystem;

namespace medulla {
namespace {

double parseNumber(const std::string& s, bool* ok) {
    if (s == "nan" || s == "NaN") {
        *ok = true;
        return std::numeric_limits<double>::quiet_NaN();
    }
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    *ok = end != s.c_str();
    return v;
}

std::vector<std::string> splitCsv(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ','))
        out.push_back(cell);
    return out;
}

void readMetrics(const fs::path& file, RunSummary& r) {
    std::ifstream in(file);
    std::string line;
    if (!in || !std::getline(in, line))
        return;
    const auto header = splitCsv(line);
    if (header.size() >= 2)
        r.metricName = header[1];
    std::map<int, double> rows;
    while (std::getline(in, line)) {
        const auto cells = splitCsv(line);
        if (cells.size() < 2)
            continue;
        bool okE = false, okM = false;
        const double e = parseNumber(cells[0], &okE);
        const double m = parseNumber(cells[1], &okM);
        if (okE && okM && e >= 1)
            rows[int(e)] = m;
    }
    for (const auto& [e, m] : rows) {
        r.metricEpochs.push_back(e);
        r.metric.push_back(m);
        if (std::isfinite(m) && m > r.bestMetric) {
            r.bestMetric = m;
            r.bestEpoch = e;
        }
    }
}

void readLog(const fs::path& file, RunSummary& r) {
    std::ifstream in(file);
    std::string line;
    std::map<std::pair<int, int>, double> losses; // (epoch, iteration) -> last logged loss
    while (std::getline(in, line)) {
        if (r.started.empty() && line.size() >= 19 && line[4] == '-' && line[13] == ':')
            r.started = line.substr(0, 19);
        if (line.size() > 20 && line.compare(20, 8, "trainer ") == 0) {
            const std::string what = line.substr(28);
            int first = 0, last = 0;
            if (std::sscanf(what.c_str(), "started: epoch %d of %d", &first, &last) == 2) {
                r.maxEpochs = last;
                r.lastState.clear();
            } else {
                for (const char* s : {"completed", "cancelled", "failed"})
                    if (what.rfind(s, 0) == 0)
                        r.lastState = s;
            }
            continue;
        }
        const auto at = line.find("Epoch: ");
        if (at == std::string::npos)
            continue;
        int epoch = 0, iteration = 0;
        if (std::sscanf(line.c_str() + at, "Epoch: %d/%*d, Iter: %d/", &epoch, &iteration) != 2)
            continue;
        const auto dash = line.find(" -- ", at);
        if (dash == std::string::npos)
            continue;
        // "loss: x" as a whole scalar name (not "g_loss: x")
        std::size_t pos = dash + 4;
        while ((pos = line.find("loss: ", pos)) != std::string::npos) {
            if (pos == dash + 4 || line[pos - 1] == ' ')
                break;
            pos += 6;
        }
        if (pos == std::string::npos)
            continue;
        bool ok = false;
        const double v = parseNumber(line.substr(pos + 6), &ok);
        if (ok && std::isfinite(v))
            losses[{epoch, iteration}] = v;
    }
    std::map<int, std::pair<double, int>> sums;
    for (const auto& [key, v] : losses) {
        sums[key.first].first += v;
        sums[key.first].second += 1;
    }
    for (const auto& [e, s] : sums) {
        r.lossEpochs.push_back(e);
        r.epochLoss.push_back(s.first / s.second);
    }
}

} // namespace

std::string runFolderName(std::time_t when) {
    std::tm tm{};
    localtime_r(&when, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "run-%Y%m%d-%H%M%S", &tm);
    return buf;
}

std::string createRunFolder(const std::string& outputDir, std::time_t when) {
    std::error_code ec;
    fs::create_directories(outputDir, ec);
    if (ec)
        throw IoError("cannot create the output folder: " + ec.message(), outputDir);
    const std::string base = runFolderName(when);
    for (int n = 1; n < 10000; ++n) {
        const fs::path dir = fs::path(outputDir) / (n == 1 ? base : base + "-" + std::to_string(n));
        // create_directory is false (no error) when the folder exists already
        if (fs::create_directory(dir, ec))
            return dir.string();
        if (ec)
            throw IoError("cannot create the run folder: " + ec.message(), dir.string());
    }
    throw IoError("no free run folder name", (fs::path(outputDir) / base).string());
}

RunSummary readRun(const std::string& runDir) {
    RunSummary r;
    const fs::path dir(runDir);
    r.path = dir.string();
    r.name = dir.filename().string();
    readMetrics(dir / "metrics.csv", r);
    readLog(dir / "train.log", r);
    std::error_code ec;
    r.hasCheckpoint = fs::exists(dir / "checkpoint.pt", ec);
    if (!r.lossEpochs.empty())
        r.epochs = std::max(r.epochs, r.lossEpochs.back());
    if (!r.metricEpochs.empty())
        r.epochs = std::max(r.epochs, r.metricEpochs.back());
    return r;
}

std::vector<RunSummary> listRuns(const std::string& outputDir) {
    std::vector<std::string> dirs;
    std::error_code ec;
    for (fs::directory_iterator it(outputDir, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->is_directory(ec))
            continue;
        const fs::path p = it->path();
        if (p.filename().string().rfind("run-", 0) == 0 || fs::exists(p / "metrics.csv", ec) ||
            fs::exists(p / "train.log", ec) || fs::exists(p / "checkpoint.pt", ec))
            dirs.push_back(p.string());
    }
    std::sort(dirs.begin(), dirs.end());
    std::vector<RunSummary> runs;
    for (const auto& d : dirs)
        runs.push_back(readRun(d));
    return runs;
}

} // namespace medulla
