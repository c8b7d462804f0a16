/*
 * platform.h — the whole OS interface of the agent. Portable code (core/, sources/) calls
 * only these functions; CMake compiles exactly one implementation: src/win/ (mingw-w64)
 * or src/linux/. No portable file tests _WIN32.
 *
 * The interface, in full:
 *   wfpw__plat_name()                  "windows" | "linux" (the proto `agent.os` value)
 *   wfpw__plat_hostname(buf, len)      this host's name
 *   wfpw__plat_random(buf, len)        cryptographically secure random bytes
 *   wfpw__plat_time_ms()               wall clock, ms since the Unix epoch (UTC)
 *   wfpw__plat_error(os_code)          an OS error code -> WFPW_E* (errno / GetLastError)
 *   wfpw__plat_last_error()            the calling thread's last OS error -> WFPW_E*
 * Each returns 0 or a negative WFPW_E* code unless stated otherwise.
 */
#ifndef WFPW_PLATFORM_H
#define WFPW_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

const char *wfpw__plat_name(void);
/* NUL-terminated host name into buf (truncation is WFPW_ERANGE). */
int wfpw__plat_hostname(char *buf, size_t len);
int wfpw__plat_random(void *buf, size_t len);
int64_t wfpw__plat_time_ms(void);
int wfpw__plat_error(long os_code);
int wfpw__plat_last_error(void);

#endif /* WFPW_PLATFORM_H */
