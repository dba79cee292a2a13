# Project-wide warning flags. CI sets LAMBDALITE_WERROR=ON so a warning fails the build.
function(lambdalite_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                                           -Wnon-virtual-dtor -Wimplicit-fallthrough)
  if(LAMBDALITE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
