# WfpwDeps.cmake — third-party libraries as imported targets wfpw::<name>.
#
# Native builds use Debian's -dev packages (pkg-config where Debian ships a .pc file).
# Windows cross builds use the static libraries that deploy/windows/build-deps.sh built
# from Debian source packages into WFPW_WIN_DEPS, plus zlib from libz-mingw-w64-dev.
# Code links wfpw::uv, wfpw::curl, ... and never needs to know which case applies.

function(wfpw_import name)
    cmake_parse_arguments(A "" "" "LIBS;INCLUDES;DEFS" ${ARGN})
    add_library(wfpw::${name} INTERFACE IMPORTED GLOBAL)
    set_target_properties(wfpw::${name} PROPERTIES
        INTERFACE_LINK_LIBRARIES "${A_LIBS}"
        INTERFACE_INCLUDE_DIRECTORIES "${A_INCLUDES}"
        INTERFACE_COMPILE_DEFINITIONS "${A_DEFS}")
endfunction()

function(wfpw_require_lib var libname hint)
    find_library(${var} NAMES ${libname} HINTS ${hint} NO_CACHE)
    if(NOT ${var})
        message(FATAL_ERROR "library '${libname}' not found in '${hint}' — run deploy/dev/install-deps.sh"
                            " (native) or deploy/windows/build-deps.sh (Windows)")
    endif()
    set(${var} ${${var}} PARENT_SCOPE)
endfunction()

if(WIN32)
    set(WFPW_WIN_DEPS "" CACHE PATH "prefix built by deploy/windows/build-deps.sh")
    if(NOT EXISTS "${WFPW_WIN_DEPS}/.wfpw-stamp")
        message(FATAL_ERROR "WFPW_WIN_DEPS='${WFPW_WIN_DEPS}' is not a build-deps.sh prefix;"
                            " run deploy/windows/build-deps.sh and pass its output")
    endif()
    list(APPEND CMAKE_FIND_ROOT_PATH ${WFPW_WIN_DEPS})
    set(d ${WFPW_WIN_DEPS}/lib)
    wfpw_require_lib(UV_A uv_a ${d})
    wfpw_require_lib(CURL_A curl ${d})
    wfpw_require_lib(MBEDTLS_A mbedtls ${d})
    wfpw_require_lib(MBEDX509_A mbedx509 ${d})
    wfpw_require_lib(MBEDCRYPTO_A mbedcrypto ${d})
    wfpw_require_lib(CJSON_A cjson ${d})
    wfpw_require_lib(EXPAT_A expat ${d})
    wfpw_require_lib(Z_A libz.a /usr/x86_64-w64-mingw32/lib)
    set(inc ${WFPW_WIN_DEPS}/include)
    wfpw_import(uv LIBS ${UV_A} ws2_32 iphlpapi userenv psapi user32 advapi32 dbghelp ole32 shell32
                INCLUDES ${inc})
    wfpw_import(mbedtls LIBS ${MBEDTLS_A} ${MBEDX509_A} ${MBEDCRYPTO_A} bcrypt advapi32 INCLUDES ${inc})
    # static archives resolve left to right: curl's TLS backend must come after curl itself
    wfpw_import(curl LIBS ${CURL_A} ${MBEDTLS_A} ${MBEDX509_A} ${MBEDCRYPTO_A} ws2_32 crypt32 bcrypt advapi32
                INCLUDES ${inc}
                DEFS CURL_STATICLIB)
    wfpw_import(agentcurl LIBS wfpw::curl)
    wfpw_import(cjson LIBS ${CJSON_A} INCLUDES ${inc})
    wfpw_import(expat LIBS ${EXPAT_A} INCLUDES ${inc} DEFS XML_STATIC)
    wfpw_import(zlib LIBS ${Z_A})
else()
    find_package(PkgConfig REQUIRED)
    foreach(pair "uv=libuv" "curl=libcurl" "cjson=libcjson" "expat=expat" "sqlite3=sqlite3" "zlib=zlib" "pq=libpq")
        string(REPLACE "=" ";" pair ${pair})
        list(GET pair 0 name)
        list(GET pair 1 pc)
        pkg_check_modules(PC_${name} REQUIRED IMPORTED_TARGET ${pc})
        wfpw_import(${name} LIBS PkgConfig::PC_${name})
    endforeach()
    # Debian's mbedTLS 2.28 ships no pkg-config file.
    find_path(MBEDTLS_INC mbedtls/ssl.h REQUIRED)
    wfpw_require_lib(MBEDTLS_SO mbedtls "")
    wfpw_require_lib(MBEDX509_SO mbedx509 "")
    wfpw_require_lib(MBEDCRYPTO_SO mbedcrypto "")
    wfpw_import(mbedtls LIBS ${MBEDTLS_SO} ${MBEDX509_SO} ${MBEDCRYPTO_SO} INCLUDES ${MBEDTLS_INC})

    # wfpw::agentcurl, the agent's curl: as the Windows agent links it (static, HTTP(S) only, on
    # mbedTLS), built by `deploy/windows/build-deps.sh --native`; WFPW_CURL_PREFIX empty: Debian's
    # libcurl (OpenSSL and the rest). The collector's webhooks keep Debian's libcurl (wfpw::curl)
    # and its CA bundle either way. A program linking both (the unit test program) is not built
    # with the prefix.
    set(WFPW_CURL_PREFIX "" CACHE PATH "prefix of build-deps.sh --native (static curl on mbedTLS)")
    if(WFPW_CURL_PREFIX)
        set(stamp "")
        if(EXISTS "${WFPW_CURL_PREFIX}/.wfpw-stamp")
            file(READ "${WFPW_CURL_PREFIX}/.wfpw-stamp" stamp)
        endif()
        if(NOT stamp MATCHES " native=1")
            message(FATAL_ERROR "WFPW_CURL_PREFIX='${WFPW_CURL_PREFIX}' is not a build-deps.sh --native prefix")
        endif()
        # that prefix's library only: never the system's libcurl.a (OpenSSL) in its place
        find_library(CURL_A NAMES libcurl.a PATHS ${WFPW_CURL_PREFIX}/lib NO_DEFAULT_PATH NO_CACHE)
        if(NOT CURL_A)
            message(FATAL_ERROR "no libcurl.a in '${WFPW_CURL_PREFIX}/lib': run deploy/windows/build-deps.sh --native")
        endif()
        wfpw_import(agentcurl LIBS ${CURL_A} ${MBEDTLS_SO} ${MBEDX509_SO} ${MBEDCRYPTO_SO} pthread
                    INCLUDES ${WFPW_CURL_PREFIX}/include DEFS CURL_STATICLIB)
    else()
        wfpw_import(agentcurl LIBS wfpw::curl)
    endif()

    # llhttp: Debian's node-llhttp ships the generated C sources; we compile them into a
    # static library with their own flags (third-party code: no -Werror).
    set(WFPW_LLHTTP_SRC /usr/share/llhttp CACHE PATH "llhttp C sources (node-llhttp)")
    set(WFPW_LLHTTP_INC /usr/share/include/llhttp CACHE PATH "llhttp header (node-llhttp)")
    if(NOT EXISTS ${WFPW_LLHTTP_SRC}/llhttp.c OR NOT EXISTS ${WFPW_LLHTTP_INC}/llhttp.h)
        message(FATAL_ERROR "llhttp sources not found — install node-llhttp (deploy/dev/install-deps.sh)")
    endif()
    add_library(wfpw_llhttp STATIC ${WFPW_LLHTTP_SRC}/llhttp.c ${WFPW_LLHTTP_SRC}/api.c
                                   ${WFPW_LLHTTP_SRC}/http.c)
    target_include_directories(wfpw_llhttp SYSTEM PUBLIC ${WFPW_LLHTTP_INC})
    target_compile_options(wfpw_llhttp PRIVATE -w)
    add_library(wfpw::llhttp ALIAS wfpw_llhttp)
endif()
