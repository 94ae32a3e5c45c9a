# Strict warnings for our own code; generated protobuf code is compiled without them.
function(waku_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough -Werror=return-type
   )
  if(WAKU_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
