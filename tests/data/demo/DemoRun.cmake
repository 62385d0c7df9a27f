# cli_demo: `medulla demo` as a user runs it, in an empty folder:
#   cmake -DMEDULLA=<medulla> -DWORK=<dir> -P DemoRun.cmake
# 1. `medulla demo --epochs 1 --cases 4` finds the built-in experiment,
#    generates the synthetic data under medulla-demo/ (the default folder),
#    trains one epoch into a new run folder and prints where the results are;
#    the run folder holds the best model and one metrics row, and the written
#    experiment file points at the data and the run folders.
# 2. Again with --cases 5 and --output-dir: the data is generated again with
#    5 cases, in a second run folder.

function(run_medulla out_var)
  execute_process(COMMAND ${MEDULLA} ${ARGN} WORKING_DIRECTORY ${WORK}
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "medulla ${ARGN} failed (${rc}):\n${out}\n${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

function(expect_file path)
  if(NOT EXISTS "${path}")
    message(FATAL_ERROR "missing: ${path}")
  endif()
endfunction()

# the number of cases a dataset.json lists for training
function(listed_cases out_var dataset_json)
  file(READ "${dataset_json}" text)
  string(JSON n LENGTH "${text}" training)
  set(${out_var} ${n} PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(demo ${WORK}/medulla-demo)

run_medulla(first demo --epochs 1 --cases 4 --threads 2)
if(NOT first MATCHES "epoch   1/1  loss [0-9.]+ .*val mean Dice [0-9.]+")
  message(FATAL_ERROR "no epoch line in:\n${first}")
endif()
string(REGEX MATCH "demo finished; the run folder is ([^\n]+)" line "${first}")
set(run "${CMAKE_MATCH_1}")
if(NOT line)
  message(FATAL_ERROR "no run folder named in:\n${first}")
endif()
if(NOT run MATCHES "^${demo}/runs/run-[0-9]+-[0-9]+$")
  message(FATAL_ERROR "the run folder ${run} is not a new run folder under ${demo}/runs")
endif()
if(NOT first MATCHES "best model: +${run}/best_model.pt\n  metrics: +${run}/metrics.csv\n")
  message(FATAL_ERROR "the summary does not name the best model and metrics:\n${first}")
endif()
if(NOT first MATCHES "medulla-studio --experiment ${demo}/demo_experiment.json")
  message(FATAL_ERROR "the summary does not say how to open the studio:\n${first}")
endif()
expect_file(${run}/best_model.pt)
expect_file(${run}/checkpoint.pt)
file(STRINGS ${run}/metrics.csv metrics)
list(LENGTH metrics rows)
if(NOT rows EQUAL 2) # header + epoch 1
  message(FATAL_ERROR "expected a header and one row in metrics.csv:\n${metrics}")
endif()
listed_cases(n ${demo}/data/dataset.json)
if(NOT n EQUAL 4)
  message(FATAL_ERROR "expected 4 generated cases, dataset.json lists ${n}")
endif()
file(READ ${demo}/demo_experiment.json experiment)
string(JSON dataset GET "${experiment}" data dataset)
string(JSON output GET "${experiment}" output_dir)
if(NOT dataset STREQUAL "${demo}/data/dataset.json" OR NOT output STREQUAL "${demo}/runs")
  message(FATAL_ERROR "demo_experiment.json points elsewhere: ${dataset}, ${output}")
endif()

# Another case count, in a folder given relative to the working folder.
run_medulla(second demo --epochs 1 --cases 5 --threads 2 --output-dir other-demo)
string(REGEX MATCH "demo finished; the run folder is ([^\n]+)" line "${second}")
if(NOT line OR CMAKE_MATCH_1 STREQUAL run)
  message(FATAL_ERROR "the second demo did not get its own run folder:\n${second}")
endif()
expect_file(${CMAKE_MATCH_1}/best_model.pt)
string(FIND "${CMAKE_MATCH_1}" "${WORK}/other-demo/runs/run-" at)
if(NOT at EQUAL 0)
  message(FATAL_ERROR "--output-dir other-demo was not used: ${CMAKE_MATCH_1}")
endif()
listed_cases(n ${WORK}/other-demo/data/dataset.json)
if(NOT n EQUAL 5)
  message(FATAL_ERROR "--cases 5 did not regenerate the data: dataset.json lists ${n}")
endif()
message(STATUS "demo runs: ${run} and ${CMAKE_MATCH_1}, best models and metrics written")
