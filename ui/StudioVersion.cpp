#include "ui/StudioVersion.h"

#include <QtGlobal>
#include <vtkVersion.h>

#include "engine/services/VersionReport.h"

namespace medulla::ui {

std::string studioVersionText() {
    VersionOverrides runtime;
    runtime.qt = qVersion();
    runtime.vtk = vtkVersion::GetVTKVersion();
    return versionReport(runtime).text();
}

} // namespace medulla::ui
