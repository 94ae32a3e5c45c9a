# ASan + UBSan (WAKU_SANITIZE); WAKU_FUZZ adds libFuzzer's coverage to every object and builds the
# fuzz targets (clang only). The debug preset has both: one build runs the tests and the fuzz
# targets under the sanitizers.
if(WAKU_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "WAKU_FUZZ needs clang (libFuzzer); use the 'debug' preset")
  endif()
  set(WAKU_SANITIZE ON)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
# Without UBSan's vptr check: it reads a vtable through a pipe to learn that it is mapped, so in a
# process out of file descriptors (node_hostile_test exhausts them on purpose) every virtual call
# is reported as one on an invalid object. ASan still catches calls on freed objects.
if(WAKU_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
