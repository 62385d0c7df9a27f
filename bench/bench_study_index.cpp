/// Times the study index on plain DICOM headers: writes a folder tree of
/// --files DICOM files (copies of pydicom's CT_small.dcm with their own
/// series, instance UIDs and positions: --series series of equal size in
/// patient/study folders; not timed), then indexes it pass after pass (the
/// OS file cache is warm after the first). The issue asks for >= 1000 files
/// per second. Prints one JSON line.
///
///   bench_study_index [--files 2000] [--series 10] [--passes 3] [--threads 0]
///                     [--dir /tmp/medulla_bench_dicom]

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "engine/io/StudyIndex.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    CLI::App app{"DICOM study index benchmark"};
    int files = 2000, series = 10, passes = 3, threads = 0;
    std::string dir = "/tmp/medulla_bench_dicom";
    std::string source = "/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm";
    app.add_option("--files", files);
    app.add_option("--series", series);
    app.add_option("--passes", passes);
    app.add_option("--threads", threads, "header-reading threads (0 = all cores)");
    app.add_option("--dir", dir);
    app.add_option("--source", source, "the DICOM file to copy");
    CLI11_PARSE(app, argc, argv);

    const std::string stamp =
        dir + "/.complete_" + std::to_string(files) + "_" + std::to_string(series);
    if (!fs::exists(stamp)) {
        fs::remove_all(dir);
        DcmFileFormat ff;
        if (ff.loadFile(source.c_str()).bad()) {
            std::fprintf(stderr, "cannot read %s (install python3-pydicom)\n", source.c_str());
            return 1;
        }
        DcmDataset* ds = ff.getDataset();
        const int perSeries = std::max(1, files / series);
        for (int i = 0; i < files; ++i) {
            const int s = i / perSeries, k = i % perSeries;
            const std::string sub =
                dir + "/patient" + std::to_string(s % 3) + "/series" + std::to_string(s);
            fs::create_directories(sub);
            const std::string uid = "1.2.826.0.1.3680043.9.7433.2." + std::to_string(s);
            ds->putAndInsertString(DCM_SeriesInstanceUID, uid.c_str());
            ds->putAndInsertString(DCM_SOPInstanceUID, (uid + "." + std::to_string(k)).c_str());
            ds->putAndInsertString(DCM_PatientID, ("P" + std::to_string(s % 3)).c_str());
            ds->putAndInsertString(DCM_InstanceNumber, std::to_string(k + 1).c_str());
            ds->putAndInsertString(DCM_ImagePositionPatient,
                                   ("-158.1\\-179.0\\" + std::to_string(2.5 * k)).c_str());
            if (ff.saveFile((sub + "/IM" + std::to_string(k)).c_str(), EXS_LittleEndianExplicit)
                    .bad()) {
                std::fprintf(stderr, "cannot write into %s\n", sub.c_str());
                return 1;
            }
        }
        std::FILE* f = std::fopen(stamp.c_str(), "w");
        if (f)
            std::fclose(f);
    }

    std::vector<double> rates;
    int found = 0;
    for (int p = 0; p < passes; ++p) {
        const auto t0 = std::chrono::steady_clock::now();
        const medulla::StudyIndex index =
            medulla::indexStudies(dir, medulla::StudyIndexOptions().threads(threads));
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        rates.push_back(double(index.dicomFiles) / s);
        found = index.seriesCount();
        if (index.dicomFiles != files) {
            std::fprintf(stderr, "indexed %d files of %d\n", index.dicomFiles, files);
            return 1;
        }
    }
    std::vector<double> sorted = rates;
    std::sort(sorted.begin(), sorted.end());
    nlohmann::json j = {{"bench", "study_index"},
                        {"impl", "medulla"},
                        {"files", files},
                        {"series", found},
                        {"threads", threads},
                        {"files_per_s_all", rates},
                        {"files_per_s_median", sorted[sorted.size() / 2]},
                        {"target_files_per_s", 1000}};
    std::printf("%s\n", j.dump().c_str());
    return 0;
}
