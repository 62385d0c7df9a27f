# cli_evaluate_save_predictions: `medulla evaluate --save-predictions` on the
# tiny trained model, then `medulla score` of the saved label maps against
# the original label files must give the same means (Dice, HD95) as the
# evaluation printed: the predictions are written in the original space.
#   cmake -DMEDULLA=<medulla> -DEXPERIMENT=<tiny_experiment.json> -DWORK=<dir> -P EvaluateAndScore.cmake
# WORK holds the fixture's run (cli-run/out) and its data (cli-run/data).

function(run_medulla out_var)
  execute_process(COMMAND ${MEDULLA} ${ARGN} WORKING_DIRECTORY ${WORK}
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "medulla ${ARGN} failed (${rc}):\n${out}\n${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK}/eval-pred ${WORK}/eval-score)
run_medulla(evaluated evaluate ${EXPERIMENT} --model cli-run/out --output eval-pred
            --save-predictions --metrics dice,hd95 --threads 2 --quiet)
string(REGEX MATCH "mean over 2 cases \\(NaN excluded\\):[^\n]*" evalMean "${evaluated}")
if(NOT evalMean)
  message(FATAL_ERROR "no mean line in:\n${evaluated}")
endif()

# evaluation.csv: the header and one row per validation case
file(STRINGS ${WORK}/eval-pred/evaluation.csv csv)
list(LENGTH csv rows)
list(GET csv 0 header)
if(NOT rows EQUAL 3 OR NOT header STREQUAL "case,Dice[1],HD95[1]")
  message(FATAL_ERROR "unexpected evaluation.csv:\n${csv}")
endif()

# predictions/<case>/<case>_seg.nii.gz, paired with labelsTr/<case>.nii.gz
file(GLOB_RECURSE predictions ${WORK}/eval-pred/predictions/*_seg.nii.gz)
list(LENGTH predictions n)
if(NOT n EQUAL 2)
  message(FATAL_ERROR "expected 2 predictions, found: ${predictions}")
endif()
file(MAKE_DIRECTORY ${WORK}/eval-score/pred ${WORK}/eval-score/label)
foreach(p IN LISTS predictions)
  get_filename_component(name ${p} NAME)
  string(REPLACE "_seg.nii.gz" ".nii.gz" name ${name})
  file(COPY_FILE ${p} ${WORK}/eval-score/pred/${name})
  file(COPY_FILE ${WORK}/cli-run/data/labelsTr/${name} ${WORK}/eval-score/label/${name})
endforeach()
run_medulla(scored score --pred eval-score/pred --label eval-score/label --scores dice,hd95)
string(REGEX MATCH "mean over 2 cases \\(NaN excluded\\):[^\n]*" scoreMean "${scored}")
if(NOT evalMean STREQUAL scoreMean)
  message(FATAL_ERROR "evaluate and score differ:\n  evaluate: ${evalMean}\n  score:    ${scoreMean}")
endif()
message(STATUS "evaluate and score agree: ${evalMean}")
