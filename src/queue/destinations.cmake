# Destination and dead-letter delivery for asynchronous invocations (destinations.h), and the
# invocation record they carry. Meant to be include()d from src/queue/CMakeLists.txt; paths are
# relative to this file, so the including scope does not matter.
add_library(lambdalite_destinations STATIC ${CMAKE_CURRENT_LIST_DIR}/destinations.cc
                                           ${CMAKE_CURRENT_LIST_DIR}/invocation_record.cc)
target_link_libraries(lambdalite_destinations
  PUBLIC lambdalite_aws lambdalite_domain lambdalite_common
  PRIVATE Boost::json)
lambdalite_warnings(lambdalite_destinations)

lambdalite_test(destinations_test ${CMAKE_CURRENT_LIST_DIR}/destinations_test.cc)
if(TARGET destinations_test)
  target_link_libraries(destinations_test PRIVATE lambdalite_destinations Boost::json
                                                  Boost::system Threads::Threads)
endif()
