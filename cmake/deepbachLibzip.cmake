# Finds libzip as the target libzip::zip. Debian's libzip config file also
# imports the zipcmp/zipmerge tools and fails when libzip-tools is not
# installed, so pkg-config comes first and the config file is the fallback.
if(NOT TARGET libzip::zip)
  find_package(PkgConfig QUIET)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(DEEPBACH_LIBZIP QUIET IMPORTED_TARGET libzip)
  endif()
  if(DEEPBACH_LIBZIP_FOUND)
    add_library(libzip::zip INTERFACE IMPORTED)
    set_target_properties(libzip::zip PROPERTIES INTERFACE_LINK_LIBRARIES PkgConfig::DEEPBACH_LIBZIP)
  else()
    find_package(libzip REQUIRED)
  endif()
endif()
