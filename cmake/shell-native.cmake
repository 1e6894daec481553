# The rc shell built natively as rc_native (fork/exec through shell/os_posix.cpp), so its
# language can be compared with Plan 9's rc from 9base.
file(GLOB WEB9_SHELL_NATIVE_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/shell/*.cpp)
if(WEB9_SHELL_NATIVE_SOURCES)
  add_executable(rc_native ${WEB9_SHELL_NATIVE_SOURCES})
  target_include_directories(rc_native PRIVATE ${CMAKE_SOURCE_DIR})
  target_compile_options(rc_native PRIVATE ${WEB9_WARNINGS})
  # tools/test runs tests/rc/compare.test.mjs with the Node suites; it finds rc_native here.
endif()

# web9's programs (apps/*.cpp) built natively too, into build/native/apps/: the comparison puts
# them first on 9base rc's $path, so both shells run the same echo, wc, ls, sed, ... and a
# difference in output is the shell's. The web9 calls fail there (apps/lib/web9_abi_native.cpp).
file(GLOB WEB9_APPS_NATIVE_LIB CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/apps/lib/*.cpp)
file(GLOB WEB9_APPS_NATIVE CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/apps/*.cpp)
if(WEB9_APPS_NATIVE_LIB AND WEB9_APPS_NATIVE)
  add_library(web9apps_native STATIC ${WEB9_APPS_NATIVE_LIB})
  target_include_directories(web9apps_native PUBLIC ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/apps/lib)
  target_compile_options(web9apps_native PRIVATE ${WEB9_WARNINGS})
  # lib9p speaks 9P with the kernel's codec (kernel/fcall.cpp, dir.cpp, result.cpp: web9core).
  target_link_libraries(web9apps_native PUBLIC web9core)
  add_custom_target(apps_native)
  foreach(src ${WEB9_APPS_NATIVE})
    get_filename_component(name ${src} NAME_WE)
    # Ninja names a phony target after each output's file name, and CMake has its own test,
    # help, ...: those programs are not made natively (no corpus script calls them).
    if(name MATCHES "^(all|clean|help|install|package|test)$")
      continue()
    endif()
    add_executable(native_${name} ${src})
    set_target_properties(native_${name} PROPERTIES OUTPUT_NAME ${name}
                          RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/apps)
    target_compile_options(native_${name} PRIVATE ${WEB9_WARNINGS})
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      # download's ustar fields are snprintf'd to their exact width on purpose.
      target_compile_options(native_${name} PRIVATE -Wno-format-truncation)
    endif()
    target_link_libraries(native_${name} PRIVATE web9apps_native)
    add_dependencies(apps_native native_${name})
  endforeach()
endif()
