# WfpwKernel.cmake — kernel-mode images (.sys) built with mingw-w64's DDK headers: the callout
# driver (agent/driver) and the stand-in fwpkclnt.sys the tests load under Wine.
#
# wfpw_kernel_module(TARGET NAME ENTRY SOURCES...): a native-subsystem DLL NAME.sys importing
# only from kernel modules (ntoskrnl.exe, HAL.dll and what the caller links), no C runtime, the
# entry point ENTRY, data not executable (NX-compatible) and relocatable. Warnings as errors.
find_program(WFPW_DLLTOOL NAMES x86_64-w64-mingw32-dlltool dlltool REQUIRED)
find_path(WFPW_DDK_INCLUDE ntddk.h PATHS /usr/x86_64-w64-mingw32/include/ddk /usr/share/mingw-w64/include/ddk
          NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH REQUIRED)

function(wfpw_kernel_module target name entry)
    add_library(${target} SHARED ${ARGN})
    set_target_properties(${target} PROPERTIES PREFIX "" OUTPUT_NAME ${name} SUFFIX ".sys")
    target_compile_options(${target} PRIVATE -fno-stack-protector -fno-builtin-printf -mno-stack-arg-probe
        -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wvla
        -Wno-unused-parameter)
    target_compile_definitions(${target} PRIVATE _KERNEL_MODE)
    target_include_directories(${target} SYSTEM PRIVATE ${WFPW_DDK_INCLUDE})
    target_link_options(${target} PRIVATE -nostdlib -Wl,--subsystem,native -Wl,--entry,${entry}
        -Wl,--nxcompat -Wl,--dynamicbase -Wl,--no-insert-timestamp -Wl,--exclude-all-symbols)
    target_link_libraries(${target} PRIVATE ntoskrnl hal gcc)
endfunction()

# wfpw_import_library(TARGET DEF): an import library libTARGET.a made from DEF with dlltool.
function(wfpw_import_library target def)
    set(lib ${CMAKE_CURRENT_BINARY_DIR}/lib${target}.a)
    add_custom_command(OUTPUT ${lib}
        COMMAND ${WFPW_DLLTOOL} -d ${def} -l ${lib}
        DEPENDS ${def} COMMENT "dlltool ${def}")
    add_custom_target(${target}_implib DEPENDS ${lib})
    set(${target}_IMPLIB ${lib} PARENT_SCOPE)
endfunction()
