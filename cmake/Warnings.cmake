# Strict warnings for our own code; generated protobuf code is compiled without them.
function(waku_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wimplicit-fallthrough -Werror=return-type)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 at -O2 reports out-of-bounds memmove inside libstdc++'s vector::insert that cannot
    # happen (GCC bugs 105545, 107138), and at -O3 an impossible overlapping memcpy inside
    # std::string (-Wrestrict, GCC bug 105329); ASan in the debug preset checks the real thing.
    # With -O1 and ASan it also claims a std::variant<T, Error> alternative "may be used
    # uninitialized" when a Result is moved (GCC bug 105593 family).
    target_compile_options(${target} PRIVATE -Wno-array-bounds -Wno-stringop-overflow
                                             -Wno-stringop-overread -Wno-restrict
                                             -Wno-maybe-uninitialized)
  endif()
  if(WAKU_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
