# atelier_set_warnings(target): the project's warning set, applied to every target we own.
function(atelier_set_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra)
    if(ATELIER_WARNINGS_AS_ERRORS)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()

# atelier_forbid_includes(target [HEADERS_ONLY] pattern...): fails the build when a source of `target` includes a
# header matching one of the patterns (with HEADERS_ONLY, when one of its headers does: what its users would see;
# private headers, named *_p.h as in Qt, are included by the target's own sources only and are not checked).
# This is how the layering of ARCHITECTURE.md is enforced: the check runs at configure time over the target's own
# sources and headers.
function(atelier_forbid_includes target)
    cmake_parse_arguments(ARG "HEADERS_ONLY" "FOLDER" "" ${ARGN})
    set(checked "\\.(h|hpp|cpp)$")
    if(ARG_HEADERS_ONLY)
        set(checked "\\.(h|hpp)$")
    endif()
    get_target_property(sources ${target} SOURCES)
    get_target_property(source_dir ${target} SOURCE_DIR)
    foreach(source IN LISTS sources)
        if(NOT IS_ABSOLUTE "${source}")
            set(source "${source_dir}/${source}")
        endif()
        if(NOT source MATCHES "${checked}" OR NOT EXISTS "${source}" OR (ARG_HEADERS_ONLY AND source MATCHES "_p\\.h$"))
            continue()
        endif()
        file(RELATIVE_PATH relative "${source_dir}" "${source}")
        if(ARG_FOLDER AND NOT relative MATCHES "^${ARG_FOLDER}")
            continue()
        endif()
        file(STRINGS "${source}" include_lines REGEX "^[ \t]*#[ \t]*include")
        foreach(line IN LISTS include_lines)
            foreach(pattern IN LISTS ARG_UNPARSED_ARGUMENTS)
                if(line MATCHES "${pattern}")
                    message(FATAL_ERROR
                        "Layering violation in ${source}: '${line}' is not allowed in target ${target} "
                        "(see ARCHITECTURE.md, 'Layers')")
                endif()
            endforeach()
        endforeach()
    endforeach()
endfunction()
