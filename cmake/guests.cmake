# Guest programs (wasm32-wasi): the rc shell from shell/, one program per apps/NAME.cpp,
# with shared guest code in apps/lib/.
# CMake has no WASI platform file, so the toolchain's suffix is lost in project(); set it here.
set(CMAKE_EXECUTABLE_SUFFIX ".wasm")
file(GLOB WEB9_GUEST_LIB CONFIGURE_DEPENDS apps/lib/*.cpp)
# lib9p (apps/lib/lib9p.h) speaks 9P with the kernel's own codec: plain C++ with no exceptions.
list(APPEND WEB9_GUEST_LIB ${CMAKE_SOURCE_DIR}/kernel/fcall.cpp ${CMAKE_SOURCE_DIR}/kernel/dir.cpp
     ${CMAKE_SOURCE_DIR}/kernel/result.cpp)
if(WEB9_GUEST_LIB)
  add_library(web9guest STATIC ${WEB9_GUEST_LIB})
  target_include_directories(web9guest PUBLIC ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/apps/lib)
  target_compile_options(web9guest PRIVATE ${WEB9_WARNINGS})
endif()

file(GLOB WEB9_SHELL_SOURCES CONFIGURE_DEPENDS shell/*.cpp)
if(WEB9_SHELL_SOURCES)
  add_executable(rc ${WEB9_SHELL_SOURCES})
  target_include_directories(rc PRIVATE ${CMAKE_SOURCE_DIR})
  target_compile_options(rc PRIVATE ${WEB9_WARNINGS})
  if(WEB9_GUEST_LIB)
    target_link_libraries(rc PRIVATE web9guest)
  endif()
endif()

file(GLOB WEB9_APPS CONFIGURE_DEPENDS apps/*.cpp apps/*.c)
foreach(src ${WEB9_APPS})
  get_filename_component(name ${src} NAME_WE)
  # CMake reserves some target names (help, test, ...); those programs get a suffixed
  # target but keep their file name.
  set(target ${name})
  if(name MATCHES "^(all|clean|help|install|package|test)$")
    set(target ${name}_app)
  endif()
  add_executable(${target} ${src})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${name})
  target_compile_options(${target} PRIVATE ${WEB9_WARNINGS})
  if(WEB9_GUEST_LIB)
    target_link_libraries(${target} PRIVATE web9guest)
  endif()
endforeach()

# git: libgit2 and its dependencies, and apps/git/ (cmake/git.cmake).
include(cmake/git.cmake)
