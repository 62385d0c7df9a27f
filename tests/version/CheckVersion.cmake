# Checks `<PROGRAM> --version` against the installed Debian packages, the
# independent reference for the library versions (dpkg-query).
#
#   cmake -DPROGRAM=path/to/medulla -DMODE=cli|studio -DMEDULLA_VERSION=0.1.0
#         -DSTUDIO_BUILT=ON|OFF -P CheckVersion.cmake
#
# MODE cli: VTK and Qt are the studio's build-time versions, labelled
# "(medulla-studio)" ("not built" when STUDIO_BUILT is OFF). MODE studio: the
# program runs without DISPLAY/WAYLAND_DISPLAY/QT_QPA_PLATFORM (it must not
# need a window system) and reports the Qt it loads, which must be
# libqt6core6's version. Both: LibTorch reports a CPU-only build, 0 GPUs.

foreach(v PROGRAM MODE MEDULLA_VERSION)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "CheckVersion.cmake needs -D${v}=...")
  endif()
endforeach()

# The upstream part of a Debian version: 1.13.1 of 1.13.1+dfsg-4,
# 9.1.0 of 9.1.0+really9.1.0+dfsg2-5+deb12u1, 3.6.7 of 3.6.7-9~deb12u4.
function(package_version package out)
  execute_process(COMMAND dpkg-query -W "-f=\${Version}" ${package}
    OUTPUT_VARIABLE full RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR full STREQUAL "")
    message(FATAL_ERROR "dpkg-query cannot tell the version of ${package}: ${err}")
  endif()
  if(NOT full MATCHES "^([0-9]+:)?([0-9]+(\\.[0-9]+)*)")
    message(FATAL_ERROR "${package}: no upstream version in \"${full}\"")
  endif()
  set(${out} ${CMAKE_MATCH_2} PARENT_SCOPE)
  message(STATUS "${package} ${full} -> ${CMAKE_MATCH_2}")
endfunction()

# The line of the report that starts with "<name> ".
function(report_line name out)
  string(REGEX MATCH "(^|\n)${name} [^\n]*" line "${report}")
  string(STRIP "${line}" line)
  if(line STREQUAL "")
    message(FATAL_ERROR "no \"${name} ...\" line in:\n${report}")
  endif()
  set(${out} "${line}" PARENT_SCOPE)
endfunction()

set(failures "")
function(expect name regex)
  report_line(${name} line)
  if(NOT line MATCHES "${regex}")
    set(failures "${failures}\n  \"${line}\" does not match ${regex}" PARENT_SCOPE)
  endif()
endfunction()

if(MODE STREQUAL "studio")
  set(run env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM ${PROGRAM} --version)
else()
  set(run ${PROGRAM} --version)
endif()
execute_process(COMMAND ${run} OUTPUT_VARIABLE report ERROR_VARIABLE err RESULT_VARIABLE rc
  TIMEOUT 120)
message(STATUS "${PROGRAM} --version:\n${report}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} --version exited with ${rc}:\n${err}")
endif()

package_version(libtorch-dev torch)
package_version(libinsighttoolkit5-dev itk)
package_version(libvtk9-dev vtk)
package_version(libdcmtk-dev dcmtk)
package_version(qt6-base-dev qt_build)
package_version(libqt6core6 qt_runtime)

# Regex-quote the dots.
foreach(v torch itk vtk dcmtk qt_build qt_runtime MEDULLA_VERSION)
  string(REPLACE "." "\\." ${v}_re "${${v}}")
endforeach()

expect(medulla "^medulla ${MEDULLA_VERSION_re}$")
# Debian's libtorch 1.13.1 is built from a tree whose version.txt says
# 1.13.0: its headers (TORCH_VERSION), CMake package and shared library file
# names all say 1.13.0. So the major.minor must be the package's, and the
# full version the one of the installed library file (libtorch.so.X.Y.Z).
string(REGEX MATCH "^[0-9]+\\.[0-9]+" torch_mm "${torch}")
string(REPLACE "." "\\." torch_mm_re "${torch_mm}")
execute_process(COMMAND dpkg-query -L libtorch-dev OUTPUT_VARIABLE torch_files)
string(REGEX MATCH "[^\n]*/libtorch\\.so(\n|$)" torch_so "${torch_files}")
string(STRIP "${torch_so}" torch_so)
if(torch_so STREQUAL "")
  message(FATAL_ERROR "libtorch-dev installs no libtorch.so")
endif()
file(REAL_PATH "${torch_so}" torch_real)
if(NOT torch_real MATCHES "libtorch\\.so\\.([0-9]+\\.[0-9]+\\.[0-9]+)$")
  message(FATAL_ERROR "${torch_so} -> ${torch_real}: no X.Y.Z version in the file name")
endif()
set(torch_lib ${CMAKE_MATCH_1})
string(REPLACE "." "\\." torch_lib_re "${torch_lib}")
message(STATUS "libtorch: package ${torch}, installed library ${torch_real}")
expect(LibTorch "^LibTorch ${torch_mm_re}\\.")
expect(LibTorch "^LibTorch ${torch_lib_re} \\(CPU only: built without CUDA, 0 GPUs\\)$")
expect(ITK "^ITK ${itk_re}$")
expect(DCMTK "^DCMTK ${dcmtk_re}$")
if(MODE STREQUAL "studio")
  expect(VTK "^VTK ${vtk_re}$")
  expect(Qt "^Qt ${qt_runtime_re}$")
elseif(STUDIO_BUILT)
  expect(VTK "^VTK ${vtk_re} \\(medulla-studio\\)$")
  expect(Qt "^Qt ${qt_build_re} \\(medulla-studio\\)$")
else()
  expect(VTK "^VTK not built")
  expect(Qt "^Qt not built")
endif()
expect(build "^build [A-Za-z]+, (GCC|Clang) [0-9]+\\.[0-9]+\\.[0-9]+$")

if(failures)
  message(FATAL_ERROR "${PROGRAM} --version disagrees with the installed packages:${failures}")
endif()
message("version report OK: ${MODE}, checked against dpkg")
