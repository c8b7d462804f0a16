/*
 * errors.h — the one table of wfpwatch error codes.
 *
 * Every function that can fail returns 0 on success or a negative WFPW_E* code from this
 * table. The values are fixed (not errno values), so they mean the same on Windows and
 * Linux; OS codes are translated at the platform layer only. Codes are append-only and
 * docs/internals/ERRORS.md must list exactly these (tests/sync checks it).
 */
#ifndef WFPW_ERRORS_H
#define WFPW_ERRORS_H

/* XX(name, value, message) */
#define WFPW_ERRNO_MAP(XX)                                                     \
    XX(EINVAL,   -1, "invalid argument")                                       \
    XX(ENOMEM,   -2, "out of memory")                                          \
    XX(ERANGE,   -3, "value out of range")                                     \
    XX(EPROTO,   -4, "input violates the wfpwatch protocol")                   \
    XX(ESYNTAX,  -5, "malformed input")                                        \
    XX(ETOOBIG,  -6, "input exceeds a size limit")                             \
    XX(EIO,      -7, "input/output error")                                     \
    XX(ENOENT,   -8, "no such file or object")                                 \
    XX(EEXIST,   -9, "already exists")                                         \
    XX(EACCES,  -10, "permission denied")                                      \
    XX(EAGAIN,  -11, "resource temporarily unavailable")                       \
    XX(ENOSYS,  -12, "not supported on this platform")                         \
    XX(ECORRUPT,-13, "stored data is corrupt")                                 \
    XX(ECLOSED, -14, "object is closed")                                       \
    XX(ENOSPC,  -15, "no space left")                                         \
    XX(EGONE,   -16, "the system service behind this handle went away")

enum wfpw_errno {
#define XX(name, value, msg) WFPW_##name = (value),
    WFPW_ERRNO_MAP(XX)
#undef XX
};

/* Human-readable text for a code; "unknown error" for anything not in the table. Static
 * storage, never freed. */
const char *wfpw_strerror(int err);

/* The code's symbolic name without prefix ("EINVAL"); "UNKNOWN" when not in the table. */
const char *wfpw_err_name(int err);

#endif /* WFPW_ERRORS_H */
