# Shared build helpers: compiler cache, warnings, the LibTorch precompiled header.

find_program(MEDULLA_CCACHE ccache)
if(MEDULLA_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  # PCH-friendly ccache settings (see ccache's manual, "Precompiled headers");
  # BASEDIR makes the cache reusable between checkouts in different folders.
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env
      CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}
      ${MEDULLA_CCACHE})
  set(CMAKE_C_COMPILER_LAUNCHER ${MEDULLA_CCACHE})
endif()

set(MEDULLA_WARNINGS -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare)

# One LibTorch precompiled header for every target that uses LibTorch, built
# once (REUSE_FROM). Targets that reuse it must keep the same code-generation
# flags; Qt keyword macros never enter these targets (see DESIGN.md).
function(medulla_torch_pch_target)
  if(TARGET medulla_torch_pch)
    return()
  endif()
  add_library(medulla_torch_pch STATIC ${PROJECT_SOURCE_DIR}/cmake/pch_anchor.cpp)
  target_link_libraries(medulla_torch_pch PUBLIC ${TORCH_LIBRARIES})
  target_compile_options(medulla_torch_pch PRIVATE ${MEDULLA_WARNINGS})
  target_link_libraries(medulla_torch_pch PUBLIC nlohmann_json::nlohmann_json)
  target_precompile_headers(medulla_torch_pch PRIVATE
    <torch/torch.h> <nlohmann/json.hpp> <vector> <string> <memory> <functional> <map>)
endfunction()

# medulla_use_torch_pch(<target>): make <target> reuse the shared LibTorch PCH.
function(medulla_use_torch_pch target)
  medulla_torch_pch_target()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE")
    # Executables get -fPIE, which would invalidate the -fPIC header.
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE OFF)
    target_compile_options(${target} PRIVATE -fPIC)
  endif()
  target_precompile_headers(${target} REUSE_FROM medulla_torch_pch)
  # Loading the header costs ~10 s per file: files that include neither
  # LibTorch's API nor nlohmann-json directly compile faster without it.
  get_target_property(sources ${target} SOURCES)
  get_target_property(dir ${target} SOURCE_DIR)
  foreach(src ${sources})
    if(NOT src MATCHES "\\.cpp$")
      continue()
    endif()
    if(IS_ABSOLUTE ${src})
      set(path ${src})
    else()
      set(path ${dir}/${src})
    endif()
    file(STRINGS ${path} heavy REGEX "#include [<\"](torch/|ATen/ATen|ATen/Parallel|nlohmann/|engine/core/Params|engine/transforms/|engine/networks/|engine/losses/|engine/training/|engine/optim/|engine/data/|TestSupport)")
    if(NOT heavy)
      set_source_files_properties(${path} TARGET_DIRECTORY ${target} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    endif()
  endforeach()
endfunction()

# medulla_engine_library(<name> SOURCES ... DEPS ...): one static library per
# engine folder, aliased medulla::engine_<name>, with the LibTorch PCH.
function(medulla_engine_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  set(target medulla_engine_${name})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(medulla::engine_${name} ALIAS ${target})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${target} PUBLIC ${TORCH_LIBRARIES} ${ARG_DEPS})
  target_compile_options(${target} PRIVATE ${MEDULLA_WARNINGS})
  medulla_use_torch_pch(${target})
endfunction()
