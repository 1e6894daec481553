# Native build: the kernel's unit tests under Catch2, and the 9P decoder fuzzer (clang only).
add_executable(kernel_tests tests/support/main.cpp ${WEB9_TEST_SOURCES})
target_include_directories(kernel_tests PRIVATE ${WEB9_CATCH_DIR} ${CMAKE_SOURCE_DIR})
target_link_libraries(kernel_tests PRIVATE web9core)
target_compile_options(kernel_tests PRIVATE ${WEB9_WARNINGS})
add_test(NAME kernel_tests COMMAND kernel_tests --use-colour no)

option(WEB9_SANITIZE "build with AddressSanitizer and UBSan" OFF)
if(WEB9_SANITIZE)
  foreach(t web9core kernel_tests)
    target_compile_options(${t} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${t} PRIVATE -fsanitize=address,undefined)
  endforeach()
endif()

set(WEB9_FUZZ_SECONDS 60 CACHE STRING "how long each fuzzer runs as a test")
file(GLOB WEB9_FUZZERS CONFIGURE_DEPENDS tests/fuzz/*_fuzz.cpp)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND WEB9_FUZZERS)
  add_custom_target(fuzzers)
  # Only the wire codec and what it uses: an ASan build of the whole kernel costs CI minutes.
  add_library(web9core_fuzz STATIC kernel/fcall.cpp kernel/dir.cpp kernel/result.cpp)
  target_include_directories(web9core_fuzz PUBLIC ${CMAKE_SOURCE_DIR})
  target_compile_options(web9core_fuzz PRIVATE -fsanitize=fuzzer-no-link,address,undefined -g)
  foreach(src ${WEB9_FUZZERS})
    get_filename_component(name ${src} NAME_WE)
    add_executable(${name} ${src})
    add_dependencies(fuzzers ${name})
    target_link_libraries(${name} PRIVATE web9core_fuzz)
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined -g)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    # A bounded run; any crash, leak or sanitizer report fails the test.
    set(corpus ${CMAKE_BINARY_DIR}/fuzz-corpus/${name})
    file(MAKE_DIRECTORY ${corpus})
    add_test(NAME ${name}
             COMMAND ${name} -max_total_time=${WEB9_FUZZ_SECONDS} -rss_limit_mb=2048
                     ${corpus} ${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${name})
  endforeach()
endif()
include(cmake/shell-native.cmake OPTIONAL)
