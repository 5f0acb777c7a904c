# atelier_add_resources(target): compiles the files below into `target` under ":/".
set(ATELIER_RESOURCE_FILES
    icons/atelier.svg
    icons/reveal.svg
)

function(atelier_add_resources target)
    list(TRANSFORM ATELIER_RESOURCE_FILES PREPEND "${PROJECT_SOURCE_DIR}/resources/" OUTPUT_VARIABLE files)
    qt_add_resources(${target} atelier_resources
        PREFIX "/"
        BASE "${PROJECT_SOURCE_DIR}/resources"
        FILES ${files})
endfunction()
