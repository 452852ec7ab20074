# The web UI's front end, embedded in the custlake binary.
#
# When web/package.json exists and npm is on the PATH, `npm run build` in web/ (after `npm ci`
# when web/node_modules is missing) writes web/dist/, and cmake/embed_web_assets.cmake turns every
# file under it into ${OUT} (serve/web_assets.h: path, bytes, content type), rebuilt when anything
# under web/src, web/package.json or web/package-lock.json changes. Without them the server answers
# / with a page saying how to build the front end.
#
#   custlake_web_assets(OUT_VAR)  -> sets OUT_VAR to the generated .cc to compile into custlake::serve
set(CUSTLAKE_WEB_EMBED_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/embed_web_assets.cmake")
set(CUSTLAKE_WEB_DIR "${PROJECT_SOURCE_DIR}/web" CACHE PATH "The web front end's folder (package.json, src/)")

function(custlake_web_assets out_var)
  set(web "${CUSTLAKE_WEB_DIR}")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/web_assets.cc")
  set(embed "${CUSTLAKE_WEB_EMBED_SCRIPT}")
  find_program(NPM_EXECUTABLE npm)
  if(EXISTS "${web}/package.json" AND NPM_EXECUTABLE)
    file(GLOB_RECURSE web_sources CONFIGURE_DEPENDS "${web}/src/*")
    set(web_inputs "${web}/package.json" ${web_sources})
    foreach(extra package-lock.json index.html build.mjs vite.config.ts vite.config.js tsconfig.json)
      if(EXISTS "${web}/${extra}")
        list(APPEND web_inputs "${web}/${extra}")
      endif()
    endforeach()
    add_custom_command(
      OUTPUT "${out}"
      COMMAND "${CMAKE_COMMAND}" -DWEB=${web} -DNPM=${NPM_EXECUTABLE} -DOUT=${out} -P "${embed}"
      DEPENDS ${web_inputs} "${embed}"
      COMMENT "Building the web front end (npm run build in web/) and embedding web/dist"
      VERBATIM)
  else()
    if(EXISTS "${web}/package.json")
      message(WARNING "npm not found: the web front end is not built; custlake serve will say how to build it")
    endif()
    add_custom_command(
      OUTPUT "${out}"
      COMMAND "${CMAKE_COMMAND}" -DOUT=${out} -P "${embed}"
      DEPENDS "${embed}"
      COMMENT "No web front end to embed (web/package.json or npm missing)"
      VERBATIM)
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()
