/*
 * error.c (Linux) — errno -> WFPW_E*. The only place that reads errno for the platform
 * layer, so no errno value leaks into portable code.
 */
#include <errno.h>

#include "platform.h"
#include "wfpw/errors.h"

int wfpw__plat_error(long os_code)
{
    switch (os_code) {
    case 0: return 0;
    case ENOMEM: return WFPW_ENOMEM;
    case EINVAL: return WFPW_EINVAL;
    case ENOENT: return WFPW_ENOENT;
    case EEXIST: return WFPW_EEXIST;
    case EACCES:
    case EPERM: return WFPW_EACCES;
    case EAGAIN: return WFPW_EAGAIN;
    case ENOSPC: return WFPW_ENOSPC;
    case ERANGE:
    case ENAMETOOLONG: return WFPW_ERANGE;
    case ENOSYS: return WFPW_ENOSYS;
    default: return WFPW_EIO;
    }
}

int wfpw__plat_last_error(void)
{
    return wfpw__plat_error(errno);
}
