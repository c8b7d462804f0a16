/*
 * error.c (Windows) — Win32 error codes -> WFPW_E*. The only GetLastError reader of the
 * agent, so no Win32, NTSTATUS or HRESULT value reaches portable code.
 */
#include <windows.h>

#include "platform.h"
#include "wfpw/errors.h"

int wfpw__plat_error(long os_code)
{
    switch ((DWORD)os_code) {
    case ERROR_SUCCESS: return 0;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY: return WFPW_ENOMEM;
    case ERROR_INVALID_PARAMETER: return WFPW_EINVAL;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_NOT_FOUND: return WFPW_ENOENT;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS: return WFPW_EEXIST;
    case ERROR_ACCESS_DENIED:
    case ERROR_PRIVILEGE_NOT_HELD: return WFPW_EACCES;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL: return WFPW_ENOSPC;
    case ERROR_MORE_DATA:
    case ERROR_INSUFFICIENT_BUFFER:
    case ERROR_BUFFER_OVERFLOW: return WFPW_ERANGE;
    case ERROR_CALL_NOT_IMPLEMENTED:
    case ERROR_NOT_SUPPORTED: return WFPW_ENOSYS;
    /* the service at the other end of an RPC binding (the Base Filtering Engine, the event log)
     * stopped or restarted: the handle is dead, a new one is needed (docs/windows-behaviour.md) */
    case ERROR_INVALID_HANDLE:
    case RPC_S_INVALID_BINDING:
    case RPC_S_UNKNOWN_IF:
    case RPC_S_SERVER_UNAVAILABLE:
    case RPC_S_CALL_FAILED:
    case RPC_S_CALL_FAILED_DNE:
    case EPT_S_NOT_REGISTERED:
    case RPC_S_CALL_CANCELLED:
    case 0x80320010u: /* FWP_E_SESSION_ABORTED */
        return WFPW_EGONE;
    default: return WFPW_EIO;
    }
}

int wfpw__plat_last_error(void)
{
    return wfpw__plat_error((long)GetLastError());
}
