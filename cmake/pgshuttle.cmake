# Helpers shared by the module CMakeLists files.

# pgshuttle_module(NAME SOURCES... DEPS...) builds src/NAME as library
# pgshuttle_NAME, with include root src/ so headers are included as
# "core/result.h", and registers it for the CLI to link.
function(pgshuttle_module name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_library(pgshuttle_${name} STATIC ${_srcs})
  target_include_directories(pgshuttle_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src
                                                      ${CMAKE_BINARY_DIR}/generated)
  target_link_libraries(pgshuttle_${name} PUBLIC ${ARG_DEPS})
  set_property(GLOBAL APPEND PROPERTY PGSHUTTLE_MODULES pgshuttle_${name})
  if(EXISTS ${CMAKE_SOURCE_DIR}/sql/${name})
    pgshuttle_embed_sql(pgshuttle_${name} ${name})
  endif()
endfunction()

# Embeds sql/NAME/*.sql into generated/sql/NAME.h as
#   namespace pgshuttle::sql::NAME { inline constexpr std::string_view file_stem = R"..."; }
# so queries stay readable .sql files (runnable in psql) yet ship inside the binary.
function(pgshuttle_embed_sql target name)
  file(GLOB _sql CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/sql/${name}/*.sql)
  set(_out ${CMAKE_BINARY_DIR}/generated/sql/${name}.h)
  string(REPLACE ";" "|" _sql_arg "${_sql}")
  add_custom_command(
    OUTPUT ${_out}
    COMMAND ${CMAKE_COMMAND} -DNAME=${name} -DOUT=${_out} -DFILES=${_sql_arg}
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_sql.cmake
    DEPENDS ${_sql} ${CMAKE_SOURCE_DIR}/cmake/embed_sql.cmake
    COMMENT "Embedding sql/${name}" VERBATIM)
  add_custom_target(${target}_sql DEPENDS ${_out})
  add_dependencies(${target} ${target}_sql)
endfunction()
