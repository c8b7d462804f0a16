/*
 * check-ctlcode.c — Windows build only: the IOCTL codes agent/driver/wfpw_device.h spells out
 * by hand are the ones winioctl.h's CTL_CODE gives (the driver uses CTL_CODE semantics through
 * the WDK, the agent these constants), and the handshake structs have their documented sizes.
 */
#include <windows.h>
#include <winioctl.h>
#include <stdio.h>

#include "wfpw_device.h"

_Static_assert(WFPW_IOCTL_HANDSHAKE == (unsigned)CTL_CODE(0x8757u, 0x801, METHOD_BUFFERED, FILE_READ_DATA | FILE_WRITE_DATA),
               "handshake code");
_Static_assert(WFPW_IOCTL_READ == (unsigned)CTL_CODE(0x8757u, 0x802, METHOD_OUT_DIRECT, FILE_READ_DATA), "read code");
_Static_assert(WFPW_IOCTL_STATS == (unsigned)CTL_CODE(0x8757u, 0x803, METHOD_BUFFERED, FILE_READ_DATA), "stats code");
_Static_assert(sizeof(struct wfpw_dev_hello) == WFPW_DEV_HELLO_SIZE, "hello size");
_Static_assert(sizeof(struct wfpw_dev_welcome) == WFPW_DEV_WELCOME_SIZE, "welcome size");
_Static_assert(sizeof(struct wfpw_dev_stats) == WFPW_DEV_STATS_SIZE, "stats size");

int main(void)
{
    printf("IOCTL codes: handshake 0x%08lx read 0x%08lx stats 0x%08lx\n", (unsigned long)WFPW_IOCTL_HANDSHAKE,
           (unsigned long)WFPW_IOCTL_READ, (unsigned long)WFPW_IOCTL_STATS);
    return 0;
}
