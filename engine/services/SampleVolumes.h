#pragma once
/// The real sample volumes that Debian packages install (the list of
/// shared/DATA.md), for the studio's demo workspace: which exist on this
/// machine is checked at run time, so a package installed later shows up
/// and a missing one is simply not offered. Qt-free and LibTorch-free: the
/// ui layer includes it.

#include <string>
#include <vector>

namespace medulla {

/// One sample: an image (a NIfTI file, or a folder holding the files of
/// DICOM series) with, for some, a label map on the image's grid.
struct SampleVolume {
    std::string id;           ///< file-system-safe short name ("ch2", "pydicom-ct5n")
    std::string title;        ///< what it shows, for people ("Colin27 T1 brain, 1 mm")
    std::string package;      ///< the Debian package that installs it ("mricron-data")
    std::string image;        ///< absolute path of the NIfTI file or of the DICOM folder
    std::string label;        ///< absolute path of its label map; empty when none
    bool dicomFolder = false; ///< `image` is a folder of DICOM files (one or more series)
};

/// Every sample the studio knows of, at the paths its package installs them
/// to below `root` ("/" on a real system; another root for a test or a
/// chroot). Whether the files exist is not checked.
std::vector<SampleVolume> knownSampleVolumes(const std::string& root = "/");

/// The known samples whose image exists (a DICOM folder: holds at least one
/// file); a label that does not exist is dropped (the image is still
/// offered). In knownSampleVolumes()' order.
std::vector<SampleVolume> installedSampleVolumes(const std::string& root = "/");

} // namespace medulla
