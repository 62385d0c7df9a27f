# Copies the screenshots the documentation shows from the GUI tests' output
# into docs/images, so the guide's pictures are always the ones the tests
# took of the current code (run as the ctest `docs_screenshots`, after every
# other test).
#
#   cmake -DDOCS_DIR=<source>/docs -DSHOTS_DIR=<build>/screenshots -P DocScreenshots.cmake
#
# Fails, naming the page and the picture, when a page shows images/NAME.png
# that no GUI test saved as <SHOTS_DIR>/NAME.png (a picture made by hand, or a
# test that no longer takes it), or one older than -DSTUDIO=<medulla-studio>
# (left from a run before the last build). Pictures in docs/images that no page shows
# any more are removed.
cmake_minimum_required(VERSION 3.21) # file(COPY_FILE), IN_LIST
if(NOT DOCS_DIR OR NOT SHOTS_DIR)
  message(FATAL_ERROR "DocScreenshots.cmake needs -DDOCS_DIR=... -DSHOTS_DIR=...")
endif()

file(GLOB pages "${DOCS_DIR}/*.md")
set(wanted "")
set(missing "")
foreach(page IN LISTS pages)
  file(READ "${page}" text)
  string(REGEX MATCHALL "\\(images/[A-Za-z0-9_.-]+\\.png\\)" refs "${text}")
  get_filename_component(pageName "${page}" NAME)
  foreach(ref IN LISTS refs)
    string(REGEX REPLACE "^\\(images/(.*)\\)$" "\\1" name "${ref}")
    list(APPEND wanted "${name}")
    if(NOT EXISTS "${SHOTS_DIR}/${name}")
      list(APPEND missing "docs/${pageName} shows images/${name}, but no GUI test saved ${SHOTS_DIR}/${name}")
    elseif(STUDIO AND "${STUDIO}" IS_NEWER_THAN "${SHOTS_DIR}/${name}")
      list(APPEND missing "docs/${pageName} shows images/${name}, but ${SHOTS_DIR}/${name} is older than ${STUDIO}: the GUI test that takes it did not run (or failed before it) since the last build")
    endif()
  endforeach()
endforeach()
list(REMOVE_DUPLICATES wanted)
if(missing)
  list(JOIN missing "\n  " lines)
  message(FATAL_ERROR "screenshots missing:\n  ${lines}\n"
    "Every picture in docs/ must be taken by a GUI test (tests/ui, saveScreenshot).")
endif()
list(LENGTH wanted count)
if(count EQUAL 0)
  message(FATAL_ERROR "no page under ${DOCS_DIR} shows a screenshot (images/NAME.png)")
endif()

file(MAKE_DIRECTORY "${DOCS_DIR}/images")
foreach(name IN LISTS wanted)
  file(COPY_FILE "${SHOTS_DIR}/${name}" "${DOCS_DIR}/images/${name}" ONLY_IF_DIFFERENT)
endforeach()
file(GLOB present RELATIVE "${DOCS_DIR}/images" "${DOCS_DIR}/images/*.png")
foreach(name IN LISTS present)
  if(NOT name IN_LIST wanted)
    file(REMOVE "${DOCS_DIR}/images/${name}")
    message(STATUS "removed docs/images/${name} (no page shows it)")
  endif()
endforeach()
message(STATUS "docs/images: ${count} screenshots from the GUI tests")
