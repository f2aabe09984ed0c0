# cmake -DSOURCE_DIR=... -P check_sealed_store.cmake
# The store is sealed (issue 11): only planner/ talks SQL. Fails when a C
# file outside planner/ includes <sqlite3.h> or the store's private header,
# or names an sqlite3 function or type. Tests use the core's functions, and
# planner/store/store_test.h for raw SQL in set-ups.
file(GLOB_RECURSE files RELATIVE ${SOURCE_DIR}
     ${SOURCE_DIR}/*.c ${SOURCE_DIR}/*.h ${SOURCE_DIR}/*.cc ${SOURCE_DIR}/*.cpp)
set(bad "")
foreach(f ${files})
  if(f MATCHES "^(planner|build[^/]*|data|\\.[^/]*)/")
    continue()
  endif()
  file(STRINGS ${SOURCE_DIR}/${f} hits
       REGEX "#[ \t]*include[ \t]*[<\"](sqlite3|store_private)\\.h|sqlite3_[a-z_]+[ \t]*[(*]|sqlite3[ \t]*\\*")
  foreach(h ${hits})
    string(APPEND bad "  ${f}: ${h}\n")
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "SQL outside planner/ (use the core's functions; tests may use "
                      "planner/store/store_test.h):\n${bad}")
endif()
message(STATUS "store sealed: no sqlite3 outside planner/")
