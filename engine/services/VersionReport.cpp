#include "engine/services/VersionReport.h"

#include <ATen/Context.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <itkVersion.h>
#include <torch/cuda.h>
#include <torch/version.h>
#ifdef MEDULLA_TORCH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

#include <sstream>

// Set by engine/services/CMakeLists.txt (MEDULLA_VERSION, MEDULLA_BUILD_TYPE)
// and by ui/CMakeLists.txt when the studio is built (MEDULLA_STUDIO_*).
#ifndef MEDULLA_VERSION
#error "MEDULLA_VERSION must come from CMake's project(Medulla VERSION ...)"
#endif
#ifndef MEDULLA_BUILD_TYPE
#define MEDULLA_BUILD_TYPE ""
#endif
#ifndef MEDULLA_STUDIO_QT_VERSION
#define MEDULLA_STUDIO_QT_VERSION ""
#endif
#ifndef MEDULLA_STUDIO_VTK_VERSION
#define MEDULLA_STUDIO_VTK_VERSION ""
#endif

namespace medulla {
namespace {

std::string compilerName() {
    std::ostringstream s;
#if defined(__clang__)
    s << "Clang " << __clang_major__ << '.' << __clang_minor__ << '.' << __clang_patchlevel__;
#elif defined(__GNUC__)
    s << "GCC " << __GNUC__ << '.' << __GNUC_MINOR__ << '.' << __GNUC_PATCHLEVEL__;
#else
    s << "unknown compiler";
#endif
    return s.str();
}

/// "12.1" from the CUDA runtime version number 12010.
std::string cudaVersionText(long v) {
    if (v <= 0)
        return {};
    return std::to_string(v / 1000) + '.' + std::to_string((v % 1000) / 10);
}

/// "VTK 9.1.0", "VTK 9.1.0 (medulla-studio)" or "VTK not built (...)".
std::string studioLibraryLine(const char* name, const std::string& version, bool runtime) {
    std::string line = name;
    if (version.empty())
        return line + " not built (no medulla-studio in this build)";
    line += ' ' + version;
    if (!runtime)
        line += " (medulla-studio)";
    return line;
}

} // namespace

std::string medullaVersion() {
    return MEDULLA_VERSION;
}

VersionReport versionReport(const VersionOverrides& runtime) {
    VersionReport r;
    r.medulla = MEDULLA_VERSION;
    r.torch = TORCH_VERSION;
    try {
        r.torchCuda = at::Context::hasCUDART(); // built with CUDA (a GPU may still be missing)
        if (r.torchCuda) {
            r.cudaRuntime = cudaVersionText(at::detail::getCUDAHooks().versionCUDART());
            r.gpuCount = int(torch::cuda::device_count());
#ifdef MEDULLA_TORCH_CUDA
            for (int i = 0; i < r.gpuCount; ++i)
                r.gpus.emplace_back(at::cuda::getDeviceProperties(i)->name);
#endif
        }
    } catch (const std::exception&) {
        // a broken driver: report what was learnt before the failure
    }
    r.itk = itk::Version::GetITKVersion();
    r.dcmtk = OFFIS_DCMTK_VERSION_STRING;
    r.qt = runtime.qt.empty() ? std::string(MEDULLA_STUDIO_QT_VERSION) : runtime.qt;
    r.qtIsRuntime = !runtime.qt.empty();
    r.vtk = runtime.vtk.empty() ? std::string(MEDULLA_STUDIO_VTK_VERSION) : runtime.vtk;
    r.vtkIsRuntime = !runtime.vtk.empty();
    r.buildType = MEDULLA_BUILD_TYPE;
    r.compiler = compilerName();
    return r;
}

std::string VersionReport::text() const {
    std::ostringstream s;
    s << "medulla " << medulla << '\n';
    s << "LibTorch " << torch << " (";
    if (!torchCuda) {
        s << "CPU only: built without CUDA, 0 GPUs";
    } else {
        s << "CUDA " << (cudaRuntime.empty() ? std::string("(runtime unknown)") : cudaRuntime)
          << ", " << gpuCount << (gpuCount == 1 ? " GPU" : " GPUs");
        if (gpuCount == 0)
            s << " available";
        for (size_t i = 0; i < gpus.size(); ++i)
            s << (i == 0 ? ": " : ", ") << gpus[i];
    }
    s << ")\n";
    s << "ITK " << itk << '\n';
    s << studioLibraryLine("VTK", vtk, vtkIsRuntime) << '\n';
    s << "DCMTK " << dcmtk << '\n';
    s << studioLibraryLine("Qt", qt, qtIsRuntime) << '\n';
    s << "build " << (buildType.empty() ? std::string("(no build type)") : buildType) << ", "
      << compiler << '\n';
    return s.str();
}

} // namespace medulla
