#include "engine/services/SampleVolumes.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace medulla {
namespace {

std::string under(const std::string& root, const std::string& path) {
    // path is absolute; root "/" (or "") keeps it as is
    if (root.empty() || root == "/")
        return path;
    return (fs::path(root) / fs::path(path).relative_path()).string();
}

bool hasFiles(const std::string& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        return false;
    for (const auto& e : fs::directory_iterator(folder, ec))
        if (e.is_regular_file(ec))
            return true;
    return false;
}

} // namespace

std::vector<SampleVolume> knownSampleVolumes(const std::string& root) {
    const std::string mricron = "/usr/share/mricron/templates/";
    const std::string itk = "/usr/share/doc/insighttoolkit5-examples/examples/Data/";
    const std::string pydicom =
        "/usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests/";
    std::vector<SampleVolume> all{
        {"ch2", "Colin27 T1 brain (181 x 217 x 181, 1 mm) with the AAL atlas (116 labels)",
         "mricron-data", mricron + "ch2.nii.gz", mricron + "aal.nii.gz", false},
        {"inia19", "INIA19 macaque T1 brain with the NeuroMaps atlas", "mricron-data",
         mricron + "inia19-t1-brain.nii.gz", mricron + "inia19-NeuroMaps.nii.gz", false},
        {"kmeans-t1", "T1 head (128 x 128 x 62, 2 x 2 x 3 mm) with a 6-class tissue segmentation",
         "insighttoolkit5-examples", itk + "KmeansTest_T1UCharRaw.nii.gz",
         itk + "KmeansTest_T1KmeansPrelimSegmentation.nii.gz", false},
        {"pydicom-ct5n", "CT series of 5 slices (DICOM, real headers, shrunk pixels)",
         "python3-pydicom", pydicom + "98892001/CT5N", "", true},
        {"pydicom-mr700", "7 oblique MR images (DICOM, real headers, shrunk pixels)",
         "python3-pydicom", pydicom + "98892003/MR700", "", true},
    };
    for (auto& s : all) {
        s.image = under(root, s.image);
        if (!s.label.empty())
            s.label = under(root, s.label);
    }
    return all;
}

std::vector<SampleVolume> installedSampleVolumes(const std::string& root) {
    std::vector<SampleVolume> out;
    std::error_code ec;
    for (auto s : knownSampleVolumes(root)) {
        const bool present = s.dicomFolder ? hasFiles(s.image) : fs::is_regular_file(s.image, ec);
        if (!present)
            continue;
        if (!s.label.empty() && !fs::is_regular_file(s.label, ec))
            s.label.clear();
        out.push_back(std::move(s));
    }
    return out;
}

} // namespace medulla
