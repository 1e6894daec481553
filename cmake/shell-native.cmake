# The rc shell built natively as rc_native (fork/exec through shell/os_posix.cpp), so its
# language can be compared with Plan 9's rc from 9base.
file(GLOB WEB9_SHELL_NATIVE_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/shell/*.cpp)
if(WEB9_SHELL_NATIVE_SOURCES)
  add_executable(rc_native ${WEB9_SHELL_NATIVE_SOURCES})
  target_include_directories(rc_native PRIVATE ${CMAKE_SOURCE_DIR})
  target_compile_options(rc_native PRIVATE ${WEB9_WARNINGS})
  # tools/test runs tests/rc/compare.test.mjs with the Node suites; it finds rc_native here.
endif()
