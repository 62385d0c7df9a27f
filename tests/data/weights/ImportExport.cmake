# medulla weights import -> export -> check, in one test (cmake -P).
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
foreach(step
    "import;${PARITY}/net_unet_2d_state.pt;-o;${OUT}/model.ckpt"
    "export;${OUT}/model.ckpt;-o;${OUT}/exported.pt"
    "check;${OUT}/exported.pt")
  execute_process(COMMAND ${MEDULLA} weights ${step} --network ${DATA}/unet_2d_network.json
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message("${out}${err}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "medulla weights ${step} failed (${rc})")
  endif()
endforeach()
