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
 *   wfpw__plat_data_dir()              default data directory of the agent
 *   wfpw__plat_policy_get(key, buf, len)  a Group Policy override of config key `key`
 *                                      (HKLM\SOFTWARE\Policies\wfpwatch\Agent, value named
 *                                      by the dotted key); WFPW_ENOENT when not set
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
const char *wfpw__plat_data_dir(void);
/* REG_SZ values as text, REG_DWORD/REG_QWORD as decimal, REG_MULTI_SZ comma-joined. */
int wfpw__plat_policy_get(const char *key, char *buf, size_t len);

#endif /* WFPW_PLATFORM_H */
