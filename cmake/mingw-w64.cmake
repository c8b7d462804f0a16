# mingw-w64.cmake — CMake toolchain for cross-building the Windows agent on Debian.
#
# Uses Debian's x86_64-w64-mingw32 compilers with the "win32" thread model, so no
# libwinpthread DLL is needed, and links libgcc statically: the resulting .exe depends on
# Windows system DLLs only. Tests run through Wine (CMAKE_CROSSCOMPILING_EMULATOR), so
# `ctest` in a Windows build directory executes the .exe files under wine64.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(WFPW_MINGW_TRIPLE x86_64-w64-mingw32)

set(CMAKE_C_COMPILER   ${WFPW_MINGW_TRIPLE}-gcc-win32)
set(CMAKE_CXX_COMPILER ${WFPW_MINGW_TRIPLE}-g++-win32)
set(CMAKE_RC_COMPILER  ${WFPW_MINGW_TRIPLE}-windres)
set(CMAKE_AR           /usr/bin/${WFPW_MINGW_TRIPLE}-gcc-ar-win32 CACHE FILEPATH "")
set(CMAKE_RANLIB       /usr/bin/${WFPW_MINGW_TRIPLE}-gcc-ranlib-win32 CACHE FILEPATH "")

# Search the cross sysroot (and the dependency prefix, added via CMAKE_PREFIX_PATH) for
# libraries and headers, never the Linux host's.
set(CMAKE_FIND_ROOT_PATH /usr/${WFPW_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# mingw's own C99 printf family (msvcrt's lacks %zu, %lld is unreliable), and the matching
# format-check archetype for WFPW_PRINTF (proto/include/wfpw/attr.h).
set(CMAKE_C_FLAGS_INIT "-D__USE_MINGW_ANSI_STDIO=1 -DWFPW_PRINTF_ARCHETYPE=gnu_printf")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc")

# Debian's wine64 package installs the loader outside PATH.
find_program(WFPW_WINE NAMES wine64 wine PATHS /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
if(WFPW_WINE)
    set(CMAKE_CROSSCOMPILING_EMULATOR ${WFPW_WINE})
endif()
