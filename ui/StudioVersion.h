#pragma once
/// The studio's version report: engine/services/VersionReport with the Qt
/// and VTK versions of the libraries loaded at run time. Needs no
/// QApplication and no display, so `medulla-studio --version` can print it
/// before any window system is touched.

#include <string>

namespace medulla::ui {

/// VersionReport::text() with qVersion() and vtkVersion::GetVTKVersion().
std::string studioVersionText();

} // namespace medulla::ui
