#pragma once
/// What `medulla --version`, `medulla-studio --version` and the studio's
/// Help > About print: Medulla's version and the versions of the libraries
/// in use (LibTorch, ITK, VTK, DCMTK, Qt), whether LibTorch has CUDA and how
/// many GPUs it sees. Qt-free and LibTorch-free header: the studio calls it.
///
/// The CLI links neither Qt nor VTK, so it reports the versions the studio
/// was built against (CMake's Qt6_VERSION and VTK_VERSION, "not built" when
/// the build has no studio); the studio passes the versions of the libraries
/// it has loaded at run time (qVersion(), vtkVersion::GetVTKVersion()) as
/// overrides, so that the text is made in one place.

#include <string>
#include <vector>

namespace medulla {

/// Versions known only to the caller (the studio's loaded Qt and VTK).
/// An empty field keeps the build-time version.
struct VersionOverrides {
    std::string qt;  ///< e.g. qVersion()
    std::string vtk; ///< e.g. vtkVersion::GetVTKVersion()
};

/// One snapshot of the versions. Fields hold bare versions ("5.2.1"); an
/// empty Qt/VTK version means the studio is not part of this build.
struct VersionReport {
    std::string medulla;           ///< project(Medulla VERSION ...) of the top CMakeLists.txt
    std::string torch;             ///< TORCH_VERSION of the LibTorch headers built against
    bool torchCuda = false;        ///< LibTorch was built with CUDA (at::hasCUDART())
    std::string cudaRuntime;       ///< "12.1": its CUDA runtime; "" without CUDA
    int gpuCount = 0;              ///< CUDA devices LibTorch can use now (0 without CUDA)
    std::vector<std::string> gpus; ///< their names, when this build can ask (else empty)
    std::string itk;               ///< itk::Version::GetITKVersion()
    std::string dcmtk;             ///< OFFIS_DCMTK_VERSION_STRING
    std::string vtk;               ///< see vtkIsRuntime
    std::string qt;                ///< see qtIsRuntime
    bool vtkIsRuntime = false;     ///< vtk is the loaded library's (else medulla-studio's build)
    bool qtIsRuntime = false;      ///< qt is the loaded library's (else medulla-studio's build)
    std::string buildType;         ///< CMAKE_BUILD_TYPE ("Release"); "" when none
    std::string compiler;          ///< "GCC 12.2.0", "Clang 14.0.6"

    /// One line per item, each ending in '\n':
    ///   medulla 0.1.0
    ///   LibTorch 1.13.0 (CPU only: built without CUDA, 0 GPUs)
    ///        or LibTorch 2.1.0 (CUDA 12.1, 2 GPUs: NVIDIA H100, NVIDIA H100)
    ///   ITK 5.2.1
    ///   VTK 9.1.0 (medulla-studio)     build-time version; "VTK 9.1.0" at run time;
    ///                                  "VTK not built (no medulla-studio in this build)"
    ///   DCMTK 3.6.7
    ///   Qt 6.4.2 (medulla-studio)      likewise
    ///   build Release, GCC 12.2.0
    std::string text() const;
};

/// Medulla's version alone ("0.1.0"), without touching LibTorch.
std::string medullaVersion();

/// Collect the report. Asks LibTorch about CUDA devices (no GPU work); never
/// throws: a query that fails leaves its default (no CUDA, 0 GPUs).
VersionReport versionReport(const VersionOverrides& runtime = {});

} // namespace medulla
