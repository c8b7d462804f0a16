/*
 * attr.h — compiler attributes used across wfpwatch.
 *
 * WFPW_PRINTF(f, a) marks a printf-style function (format is argument f, values start at
 * a) so the compiler checks every call. The archetype comes from the build: the mingw-w64
 * toolchain file sets WFPW_PRINTF_ARCHETYPE=gnu_printf, because there `printf` means the
 * msvcrt dialect while we build with mingw's C99 stdio (__USE_MINGW_ANSI_STDIO).
 */
#ifndef WFPW_ATTR_H
#define WFPW_ATTR_H

#ifndef WFPW_PRINTF_ARCHETYPE
#define WFPW_PRINTF_ARCHETYPE printf
#endif

#if defined(__GNUC__) || defined(__clang__)
#define WFPW_PRINTF(f, a) __attribute__((format(WFPW_PRINTF_ARCHETYPE, f, a)))
#else
#define WFPW_PRINTF(f, a)
#endif

#endif /* WFPW_ATTR_H */
