# Browser build: the same kernel tests under Node, and (when kernel/bindings.cpp exists) kernel.js.
# Syscalls keeps kernel_ and host_ beside its State, and clang (not gcc) calls them unused.
set_source_files_properties(kernel/syscall.cpp PROPERTIES COMPILE_OPTIONS -Wno-unused-private-field)
set(WEB9_EM_FLAGS -fexceptions)
# Emscripten writes CommonJS; the repository's package.json says "module", so mark this tree.
file(WRITE ${CMAKE_BINARY_DIR}/package.json "{ \"type\": \"commonjs\" }\n")
add_executable(kernel_tests tests/support/main.cpp ${WEB9_TEST_SOURCES})
target_include_directories(kernel_tests PRIVATE ${WEB9_CATCH_DIR} ${CMAKE_SOURCE_DIR})
target_link_libraries(kernel_tests PRIVATE web9core)
target_compile_options(kernel_tests PRIVATE ${WEB9_WARNINGS} -fexceptions)
target_link_options(kernel_tests PRIVATE -fexceptions -sALLOW_MEMORY_GROWTH=1 -sEXIT_RUNTIME=1
                    -sNODERAWFS=1 -sENVIRONMENT=node)
set_target_properties(kernel_tests PROPERTIES SUFFIX ".js")
find_program(NODE_EXECUTABLE node REQUIRED)
add_test(NAME kernel_tests_node
         COMMAND ${NODE_EXECUTABLE} --no-experimental-fetch $<TARGET_FILE:kernel_tests> --use-colour no)

if(EXISTS ${CMAKE_SOURCE_DIR}/kernel/bindings.cpp)
  # kernel.mjs is an ES module (export default createKernel) for the kernel worker, a module
  # worker in the browser and a worker_threads worker under Node. ENVIRONMENT leaves out node on
  # purpose: Emscripten 3.1.6's node code needs require and __dirname, which an ES module does not
  # have; web/kernel/worker.js hands it the wasm bytes (wasmBinary) instead, under Node and in the
  # browser alike, so no environment-specific loading code runs. See docs/runtime.md.
  add_executable(kernel kernel/bindings.cpp kernel/bindings_store.cpp kernel/bindings_net.cpp)
  target_link_libraries(kernel PRIVATE web9core)
  target_compile_options(kernel PRIVATE ${WEB9_WARNINGS})
  target_link_options(kernel PRIVATE --bind -sALLOW_MEMORY_GROWTH=1 -sMODULARIZE=1 -sEXPORT_ES6=1
                      -sEXPORT_NAME=createKernel -sENVIRONMENT=web,worker
                      -sINITIAL_MEMORY=33554432)
  # .mjs: this build tree is marked CommonJS for kernel_tests.js (above), and kernel is ESM.
  set_target_properties(kernel PROPERTIES SUFFIX ".mjs")
endif()
