/*
 * fwpk-ctl.c — drives the stand-in fwpkclnt.sys (fwpk-ctl.h) and pokes the callout driver's
 * device directly, for tests/integration/test-driver-wine.sh (run under Wine).
 *
 *   fwpk-ctl dump                         what the driver registered (key=value lines)
 *   fwpk-ctl wait KEY VALUE SECONDS       until dump's KEY equals VALUE (exit 1 at the timeout)
 *   fwpk-ctl bfe stop|start               the Base Filtering Engine stops / starts
 *   fwpk-ctl inject LAYER COUNT [EVERY_MS [TIMES]] [-6] [-path P] [-pid N] [-filter ID]
 *                  [-lport N] [-rport N] [-proto N] [-loopback]
 *                                         COUNT classify calls at the discard layer LAYER (its
 *                                         FWPS id), TIMES times EVERY_MS apart
 *   fwpk-ctl hello MAJOR                  a handshake with \\.\wfpwatch claiming MAJOR
 *   fwpk-ctl read-first                   a READ before any handshake
 * Prints what happened; exits 0 when the call did what was asked, 1 otherwise.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwpk-ctl.h"
#include "wfpw_device.h"

static HANDLE open_dev(const char *path)
{
    HANDLE h = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
                           0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        printf("cannot open %s: error %lu\n", path, GetLastError());
    return h;
}

static int inject(HANDLE h, int argc, char **argv)
{
    struct wfpk_inject in;
    struct wfpk_inject_result res;
    unsigned long every = 0, times = 1, t, calls = 0, missed = 0;
    int i, v6 = 0;
    const char *path = "\\device\\harddiskvolume3\\programdata\\microsoft\\windows defender\\platform\\4.18.24090.11-0\\msmpeng.exe";
    DWORD got;
    memset(&in, 0, sizeof(in));
    in.magic = WFPK_INJECT_MAGIC;
    in.layer_id = (uint16_t)atoi(argv[0]);
    in.count = (uint32_t)strtoul(argv[1], NULL, 10);
    in.protocol = 6, in.local_port = 50000, in.remote_port = 443;
    in.metadata_fields = 0x1u | 0x8u | 0x20u; /* DISCARD_REASON | PROCESS_PATH | PROCESS_ID */
    in.process_id = 3932, in.filter_id = 324367, in.discard_module = 2, in.discard_reason = 0;
    i = 2;
    if (i < argc && argv[i][0] != '-')
        every = strtoul(argv[i++], NULL, 10);
    if (i < argc && argv[i][0] != '-')
        times = strtoul(argv[i++], NULL, 10);
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "-6")) v6 = 1;
        else if (!strcmp(argv[i], "-loopback")) in.condition_flags |= 1u;
        else if (i + 1 < argc && !strcmp(argv[i], "-path")) path = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "-pid")) in.process_id = strtoull(argv[++i], NULL, 10);
        else if (i + 1 < argc && !strcmp(argv[i], "-filter")) in.filter_id = strtoull(argv[++i], NULL, 10);
        else if (i + 1 < argc && !strcmp(argv[i], "-lport")) in.local_port = (uint16_t)atoi(argv[++i]);
        else if (i + 1 < argc && !strcmp(argv[i], "-rport")) in.remote_port = (uint16_t)atoi(argv[++i]);
        else if (i + 1 < argc && !strcmp(argv[i], "-proto")) in.protocol = (uint8_t)atoi(argv[++i]);
        else {
            printf("unknown option %s\n", argv[i]);
            return 1;
        }
    }
    if (v6) {
        static const uint8_t l6[16] = {0xfd, 0, 0, 0x20, 0, 0x30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42};
        static const uint8_t r6[16] = {0x26, 0x03, 0x10, 0x30, 0, 0x0b, 0, 0x03, 0, 0, 0, 0, 0, 0, 0x01, 0x52};
        memcpy(in.local_addr, l6, 16), memcpy(in.remote_addr, r6, 16);
    } else {
        static const uint8_t l4[4] = {10, 20, 30, 42}, r4[4] = {20, 42, 65, 84};
        memcpy(in.local_addr, l4, 4), memcpy(in.remote_addr, r4, 4);
    }
    for (i = 0; path[i] && i < 259; i++)
        in.path[i] = (uint16_t)(unsigned char)path[i];
    in.path_bytes = (uint32_t)i * 2;
    for (t = 0; t < times; t++) {
        if (!DeviceIoControl(h, WFPK_IOCTL_INJECT, &in, sizeof(in), &res, sizeof(res), &got, NULL)) {
            printf("inject failed: error %lu\n", GetLastError());
            return 1;
        }
        calls += res.classify_calls, missed += res.no_callout;
        in.local_port = (uint16_t)(in.local_port + in.count);
        if (every && t + 1 < times)
            Sleep((DWORD)every);
    }
    printf("classify_calls=%lu no_callout=%lu\n", calls, missed);
    return calls > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    HANDLE h;
    DWORD got = 0;
    int rc = 1;
    if (argc < 2) {
        fprintf(stderr, "usage: fwpk-ctl dump | bfe stop|start | inject LAYER COUNT ... | hello MAJOR | read-first\n");
        return 2;
    }
    if (!strcmp(argv[1], "hello") || !strcmp(argv[1], "read-first")) {
        struct wfpw_dev_hello hi;
        unsigned char out[WFPW_DEV_RECORD_MAX];
        if ((h = open_dev(WFPW_DEV_WIN32_PATH)) == INVALID_HANDLE_VALUE)
            return 1;
        memset(&hi, 0, sizeof(hi));
        hi.magic = WFPW_DEV_MAGIC_AGENT, hi.major = (uint16_t)(argc > 2 ? atoi(argv[2]) : 1);
        if (!strcmp(argv[1], "hello")) {
            BOOL ok = DeviceIoControl(h, WFPW_IOCTL_HANDSHAKE, &hi, sizeof(hi), out, sizeof(out), &got, NULL);
            printf("handshake %s error %lu bytes %lu\n", ok ? "ok" : "failed", ok ? 0ul : GetLastError(), got);
        } else {
            BOOL ok = DeviceIoControl(h, WFPW_IOCTL_READ, NULL, 0, out, sizeof(out), &got, NULL);
            printf("read %s error %lu\n", ok ? "ok" : "failed", ok ? 0ul : GetLastError());
        }
        CloseHandle(h);
        return 0;
    }
    if ((h = open_dev(WFPK_CTL_WIN32_PATH)) == INVALID_HANDLE_VALUE)
        return 1;
    if (!strcmp(argv[1], "dump")) {
        struct wfpk_dump d;
        if (DeviceIoControl(h, WFPK_IOCTL_DUMP, NULL, 0, &d, sizeof(d), &got, NULL)) {
            printf("bfe_state=%u\nbfe_generation=%u\nregistered_callouts=%u\ncallouts=%u\nfilters=%u\nproviders=%u\n"
                   "sublayers=%u\nlive_filters=%u\nsessions=%u\nsubscriptions=%u\nrefused=%u\n",
                   d.bfe_state, d.bfe_generation, d.registered_callouts, d.callouts, d.filters, d.providers,
                   d.sublayers, d.live_filters, d.sessions, d.subscriptions, d.refused);
            rc = 0;
        }
    } else if (!strcmp(argv[1], "wait") && argc == 5) {
        /* polled here, not by the test: a Wine process per look would take seconds each */
        unsigned long tries = strtoul(argv[4], NULL, 10) * 20, i;
        uint32_t want = (uint32_t)strtoul(argv[3], NULL, 10);
        for (i = 0; i <= tries && rc != 0; i++) {
            struct wfpk_dump d;
            uint32_t *v = NULL;
            if (DeviceIoControl(h, WFPK_IOCTL_DUMP, NULL, 0, &d, sizeof(d), &got, NULL)) {
                v = !strcmp(argv[2], "live_filters") ? &d.live_filters
                  : !strcmp(argv[2], "filters") ? &d.filters
                  : !strcmp(argv[2], "registered_callouts") ? &d.registered_callouts
                  : !strcmp(argv[2], "sessions") ? &d.sessions : NULL;
                if (v && *v == want)
                    rc = 0;
            }
            if (rc != 0)
                Sleep(50);
        }
        printf("wait %s=%s: %s\n", argv[2], argv[3], rc ? "timed out" : "ok");
    } else if (!strcmp(argv[1], "bfe") && argc == 3) {
        uint32_t op = !strcmp(argv[2], "stop") ? 1 : !strcmp(argv[2], "start") ? 2 : 0;
        rc = op && DeviceIoControl(h, WFPK_IOCTL_BFE, &op, sizeof(op), NULL, 0, &got, NULL) ? 0 : 1;
        printf("bfe %s: %s\n", argv[2], rc ? "failed" : "ok");
    } else if (!strcmp(argv[1], "inject") && argc >= 4) {
        rc = inject(h, argc - 2, argv + 2);
    } else {
        fprintf(stderr, "fwpk-ctl: unknown command\n");
        rc = 2;
    }
    CloseHandle(h);
    return rc;
}
