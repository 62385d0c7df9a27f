# Layer guard (cmake -DROOT=<tree> -P CheckLayers.cmake): fails when
#  - a file under engine/ or kernels/ includes a Qt header or a CMakeLists
#    there links a Qt target;
#  - a file under ui/ includes a LibTorch header other than <ATen/Tensor.h>.
if(NOT ROOT)
  message(FATAL_ERROR "pass -DROOT=<source tree>")
endif()
set(problems "")

file(GLOB_RECURSE low_sources ${ROOT}/engine/*.h ${ROOT}/engine/*.hpp ${ROOT}/engine/*.cpp
     ${ROOT}/kernels/*.h ${ROOT}/kernels/*.hpp ${ROOT}/kernels/*.cpp ${ROOT}/kernels/*.cu ${ROOT}/kernels/*.cuh)
foreach(f ${low_sources})
  file(STRINGS ${f} hits REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](Q[A-Za-z]|qcustomplot|QVTK|Qt[A-Za-z]*/)")
  foreach(h ${hits})
    list(APPEND problems "${f}: Qt header in the engine layer: ${h}")
  endforeach()
endforeach()

file(GLOB_RECURSE low_cmake ${ROOT}/engine/CMakeLists.txt ${ROOT}/kernels/CMakeLists.txt)
foreach(f ${low_cmake})
  file(STRINGS ${f} hits REGEX "Qt[56]?::|find_package\\(Qt|QCustomPlot")
  foreach(h ${hits})
    list(APPEND problems "${f}: Qt target in the engine layer: ${h}")
  endforeach()
endforeach()

file(GLOB_RECURSE ui_sources ${ROOT}/ui/*.h ${ROOT}/ui/*.hpp ${ROOT}/ui/*.cpp)
foreach(f ${ui_sources})
  file(STRINGS ${f} hits REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"](torch/|ATen/|c10/|caffe2/)")
  foreach(h ${hits})
    if(NOT h MATCHES "[<\"]ATen/Tensor\\.h[>\"]")
      list(APPEND problems "${f}: LibTorch header in the ui layer: ${h}")
    endif()
  endforeach()
endforeach()

list(LENGTH low_sources n_low)
list(LENGTH ui_sources n_ui)
if(problems)
  string(REPLACE ";" "\n  " text "${problems}")
  message(FATAL_ERROR "layer violations:\n  ${text}")
endif()
message(STATUS "layers ok: ${n_low} engine/kernels files without Qt, ${n_ui} ui files without LibTorch")
