# What `cmake --install` (and the Debian package, cmake/Packaging.cmake) puts
# where, in the GNU layout under CMAKE_INSTALL_PREFIX:
#   bin/medulla, bin/medulla-studio          the two programs (not medulla-parity,
#                                            tests or benchmarks)
#   share/medulla/*.json                     the built-in demo and GAN experiments
#                                            (found next to the binaries: <bin>/../share/medulla)
#   share/applications/medulla-studio.desktop   the desktop entry (NIfTI, DICOM, folders)
#   share/icons/hicolor/{scalable,256x256}/apps/medulla-studio.{svg,png}
#   share/mime/packages/medulla.xml          the NIfTI MIME types (*.nii, *.nii.gz)
#   share/doc/medulla/README.md, docs/       the guides
# Included from the top CMakeLists.txt after every target exists.

include(GNUInstallDirs)

set(MEDULLA_SHARE_DIR ${CMAKE_INSTALL_DATADIR}/medulla)
set(MEDULLA_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/medulla)

install(TARGETS medulla RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/resources/demo_experiment.json
              ${PROJECT_SOURCE_DIR}/resources/gan_experiment.json
        DESTINATION ${MEDULLA_SHARE_DIR})

if(MEDULLA_BUILD_UI)
  install(TARGETS medulla-studio RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${PROJECT_SOURCE_DIR}/resources/desktop/medulla-studio.desktop
          DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/desktop/medulla.xml
          DESTINATION ${CMAKE_INSTALL_DATADIR}/mime/packages)
  set(icon_svg ${PROJECT_SOURCE_DIR}/resources/icons/medulla-studio.svg)
  install(FILES ${icon_svg} DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
  # The 256x256 PNG (menus that do not draw SVG), rendered from the SVG.
  find_program(MEDULLA_RSVG_CONVERT rsvg-convert)
  if(MEDULLA_RSVG_CONVERT)
    set(icon_png ${CMAKE_BINARY_DIR}/icons/256x256/medulla-studio.png)
    add_custom_command(OUTPUT ${icon_png}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/icons/256x256
      COMMAND ${MEDULLA_RSVG_CONVERT} -w 256 -h 256 ${icon_svg} -o ${icon_png}
      DEPENDS ${icon_svg}
      COMMENT "Rendering the 256x256 icon")
    add_custom_target(medulla_icons ALL DEPENDS ${icon_png})
    install(FILES ${icon_png} DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/256x256/apps)
  else()
    message(WARNING "rsvg-convert (librsvg2-bin) not found: the package gets the SVG icon only")
  endif()
endif()

install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${MEDULLA_DOC_DIR})
# The guides as they are in the tree when installing (pages and their pictures).
if(EXISTS ${PROJECT_SOURCE_DIR}/docs)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${MEDULLA_DOC_DIR}/docs
          FILES_MATCHING PATTERN "*.md" PATTERN "*.png" PATTERN "*.svg")
endif()
