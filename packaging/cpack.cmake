# `packaging/atelier.sh package` (cpack -G DEB in the release build) makes the Debian package.
set(CPACK_PACKAGE_NAME "atelier")
set(CPACK_PACKAGE_VENDOR "Atelier")
set(CPACK_PACKAGE_CONTACT "Atelier developers <atelier@atelier.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
# The extended description; CPack puts the summary above it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Atelier keeps a library of your image models (browse, search, tag, inspect),
installs new ones from files, folders and links, runs generation pipelines
wired in a node-graph editor, and reads and writes the full recipe stored
inside each image. The command line (atelier --help) does the same headless.")
set(CPACK_DEBIAN_PACKAGE_SECTION "graphics")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PROJECT_HOMEPAGE_URL}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
# The libraries the executable and the engine module link are found by dpkg-shlibdeps; what Qt and libtorch load
# at run time is not linked, so it is named here:
#   libqt6sql6-sqlite          the model library's database driver
#   libqt6svg6                 the SVG icon engine and image plugin (the icons; linked too, but the plugins matter)
#   qt6-wayland                the Wayland platform plugin (xcb and offscreen come with libqt6gui6)
#   qt6-image-formats-plugins  WebP and TIFF covers and gallery images (JPEG, GIF and ICO come with libqt6gui6)
#   libopenblas0-pthread       the BLAS libtorch's matrix products go through (the reference BLAS is ~4x slower)
#   fonts-dejavu-core          a font for the window on systems that have none
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libqt6sql6-sqlite, libqt6svg6, qt6-wayland, qt6-image-formats-plugins, libopenblas0-pthread, fonts-dejavu-core")
# Qt's own strings (standard dialog buttons) in the interface's language
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-translations-l10n")
include(CPack)
