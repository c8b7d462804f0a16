/*
 * winpriv.h — Windows-only helpers shared by the files of src/win (never by portable code).
 */
#ifndef WFPW_WINPRIV_H
#define WFPW_WINPRIV_H

#include <windows.h>

/* Enables privilege `name` (an SE_*_NAME string) in the process token. ERROR_SUCCESS, or the
 * Win32 error; *call names the call that failed. ERROR_NOT_ALL_ASSIGNED: the account does not
 * hold it (LocalSystem and Administrators hold the ones the agent asks for). service.c */
DWORD wfpw__win_enable_privilege(const char *name, const char **call);

#endif
