# Project-wide warning flags. CI sets LAMBDALITE_WERROR=ON so a warning fails the build.
function(lambdalite_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wnon-virtual-dtor
                                           -Wimplicit-fallthrough)
  # GCC's -Wshadow=local (a local shadowing a local); clang has no such option, and its closest
  # one, -Wshadow-uncaptured-local, also covers lambda parameters.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wshadow=local)
  else()
    target_compile_options(${target} PRIVATE -Wshadow-uncaptured-local)
  endif()
  if(LAMBDALITE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Release builds (-O3) with GCC 12 report false -Wrestrict and -Wstringop-overflow diagnostics
# inside libstdc++'s std::string (GCC bugs 105329, 105651). They stay warnings there, never errors,
# so -Werror still catches everything else.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  add_compile_options(-Wno-error=restrict -Wno-error=stringop-overflow -Wno-error=array-bounds)
endif()
