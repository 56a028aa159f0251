# qmann's one library dependency, xsimd, found the same way in-tree and by the
# installed package config.
#
# Debian's xsimd 8.1 is built with xtl support, and its exported target links
# `xtl` without finding it (xsimd issue #869, fixed upstream after 8.1), which
# turns into a failing `-lxtl`. Find xtl only when the xsimd target asks for it.
if(NOT TARGET xsimd)
  find_package(xsimd 8.1 REQUIRED)
endif()
get_target_property(_qmann_xsimd_links xsimd INTERFACE_LINK_LIBRARIES)
if("xtl" IN_LIST _qmann_xsimd_links AND NOT TARGET xtl)
  find_package(xtl REQUIRED)
endif()
unset(_qmann_xsimd_links)
