# docs_reference_current: docs/reference.md must be exactly what the code
# generates. Run with -DMEDULLA=<medulla binary> -DREFERENCE=<docs/reference.md>
# -DOUTPUT=<file in the build tree>.
foreach(var MEDULLA REFERENCE OUTPUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "CheckReference.cmake needs -D${var}=...")
  endif()
endforeach()

execute_process(COMMAND ${MEDULLA} reference --output ${OUTPUT}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "medulla reference failed (${rc}): ${out}${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUTPUT} ${REFERENCE}
  RESULT_VARIABLE differs)
if(NOT differs EQUAL 0)
  message(FATAL_ERROR "docs/reference.md is out of date (the generated ${OUTPUT} differs): "
    "run `./build/app/medulla reference --output docs/reference.md` and commit the result")
endif()
message(STATUS "docs/reference.md is current")
