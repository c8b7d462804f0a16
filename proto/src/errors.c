/*
 * errors.c — text and names for the WFPW_E* table in errors.h.
 * Both functions are generated from WFPW_ERRNO_MAP so they cannot drift from the codes.
 */
#include "wfpw/errors.h"

const char *wfpw_strerror(int err)
{
    switch (err) {
#define XX(name, value, msg) case WFPW_##name: return msg;
        WFPW_ERRNO_MAP(XX)
#undef XX
    case 0:
        return "success";
    default:
        return "unknown error";
    }
}

const char *wfpw_err_name(int err)
{
    switch (err) {
#define XX(name, value, msg) case WFPW_##name: return #name;
        WFPW_ERRNO_MAP(XX)
#undef XX
    case 0:
        return "OK";
    default:
        return "UNKNOWN";
    }
}
