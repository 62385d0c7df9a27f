# The Debian package (CPack's DEB generator): one package `medulla` holding
# both programs and their desktop integration (cmake/MedullaInstall.cmake), so
# that `apt install ./medulla_<version>_<arch>.deb` on a bookworm machine
# brings everything they need.
#   cmake --build build --target package      (or: cd build && cpack -G DEB)
# Depends: dpkg-shlibdeps reads the libraries the binaries link (LibTorch,
# ITK, VTK, DCMTK, Qt 6, QCustomPlot, ...) and names their packages; what it
# cannot see is added below. packaging/test-package.sh installs the package
# into a fresh debootstrap root and runs it there.

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME medulla)
set(CPACK_PACKAGE_VENDOR "Medulla")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "medical-imaging deep learning studio and command-line tool")
set(CPACK_PACKAGE_DESCRIPTION
  "Medulla brings MONAI's readers, transforms, networks, losses, metrics and
trainers to C++ (LibTorch, ITK, DCMTK). medulla-studio browses DICOM and
NIfTI studies, edits pipelines and experiments, trains with live curves and
shows the results with VTK volume rendering; the medulla command line runs
the same experiment JSON files headless (train, evaluate, infer, k-fold,
ensembles, several processes).

Try it: medulla demo (a small UNet trained on synthetic data), or start
Medulla Studio from the menu.")
set(MEDULLA_PACKAGE_MAINTAINER "Medulla developers <medulla@localhost>" CACHE STRING
  "Maintainer field of the Debian package")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${MEDULLA_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # medulla_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Beyond the linked libraries:
# - libgl1-mesa-dri: the Mesa drivers VTK and Qt's OpenGL widgets render with
#   where no vendor driver is installed (also the software rasteriser);
# - fonts-dejavu-core: Qt draws no text without a font.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libgl1-mesa-dri, fonts-dejavu-core")
# An optimised BLAS/LAPACK for LibTorch (any libblas.so.3 works), the
# desktop's MIME and icon caches.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libopenblas0-pthread, shared-mime-info, hicolor-icon-theme")
# The real sample volumes the studio's demo workspace shows when installed.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "mricron-data, insighttoolkit5-examples, python3-pydicom")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CHECKSUM SHA256)
include(CPack)
