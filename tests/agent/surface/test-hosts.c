/*
 * test-hosts.c — agent/src/surface/hosts.c and netaddr.c: the hosts file as Windows' sample
 * describes it (comments anywhere, blanks, several names per line), its encodings, and lines
 * refused with file and line; addresses classed and prefixes compared.
 */
#include <string.h>

#include "../../runner.h"
#include "hosts.h"
#include "netaddr.h"
#include "surftest.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

TEST_IMPL(hosts_file)
{
    static const char text[] = "\xEF\xBB\xBF# Copyright (c) 1993-2009 Microsoft Corp.\r\n"
                               "#\t127.0.0.1       localhost\r\n"
                               "\r\n"
                               "  127.0.0.1\tWinATP-GW-EUS.microsoft.com   # silenced\r\n"
                               "0.0.0.0 a.example b.example. c.example\r\n"
                               "::1 v6.example\r\n"
                               "10.0.0.1 caf\xc3\xa9.example\n"
                               "# M\xfcnchen\n"; /* not UTF-8 on this line: an 8-bit code page */
    struct wfpw_hosts h;
    char err[256];
    size_t len;
    uint8_t *w;
    wfpw_hosts_init(&h);
    ASSERT_EQ(wfpw_hosts_parse(&h, "hosts", (const uint8_t *)text, strlen(text), 0, err, sizeof(err)), 0);
    ASSERT_EQ(h.n, 6);
    ASSERT_STR_EQ(h.e[0].name, "winatp-gw-eus.microsoft.com");
    ASSERT_STR_EQ(h.e[0].addr, "127.0.0.1");
    ASSERT_EQ(h.e[0].line, 4);
    ASSERT_STR_EQ(h.e[2].name, "b.example"); /* trailing dot dropped */
    ASSERT_EQ(h.e[3].line, 5);
    ASSERT_STR_EQ(h.e[4].addr, "::1");
    ASSERT_STR_EQ(h.e[5].name, "caf\xc3\x83\xc2\xa9.example"); /* the file is 8-bit: read as Latin-1 */
    ASSERT_EQ(h.utf16, 0);
    /* UTF-16LE: read, and marked */
    w = surftest_utf16("127.0.0.1 x.sophos.com\r\n", &len);
    ASSERT_EQ(wfpw_hosts_parse(&h, "hosts", w, len, 0, err, sizeof(err)), 0);
    wfpw_free(w);
    ASSERT_EQ(h.n, 1);
    ASSERT_EQ(h.utf16, 1);
    wfpw_hosts_free(&h);
    return 0;
}

TEST_IMPL(hosts_malformed)
{
    static const struct { const char *text; size_t len; const char *want; } bad[] = {
        {"127.0.0.1 ok\nwinatp-gw-eus.microsoft.com 127.0.0.1\n", 0,
         "hosts:2: the first field 'winatp-gw-eus.microsoft.com' is not an IPv4 or IPv6 address"},
        {"127.0.0.1\n", 0, "hosts:1: the address 127.0.0.1 has no name after it"},
        {"127.0.0.1 # only a comment\n", 0, "hosts:1: the address 127.0.0.1 has no name"},
        {"127.0.0.256 x\n", 0, "hosts:1: the first field '127.0.0.256'"},
        {"10.0.0.0/8 x\n", 0, "hosts:1: the first field '10.0.0.0/8'"},
        {"127.0.0.1 a\0b\n", 14, "hosts:1: a NUL byte"},
        {"\xfe\xff\x00\x31", 4, "hosts:1: UTF-16 big-endian"},
    };
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct wfpw_hosts h;
        char err[256] = "";
        wfpw_hosts_init(&h);
        ASSERT_EQ(wfpw_hosts_parse(&h, "hosts", (const uint8_t *)bad[i].text,
                                   bad[i].len ? bad[i].len : strlen(bad[i].text), 0, err, sizeof(err)), WFPW_EINVAL);
        if (strncmp(err, bad[i].want, strlen(bad[i].want)) != 0) {
            fprintf(stderr, "case %zu: got '%s', want '%s...'\n", i, err, bad[i].want);
            ASSERT(0);
        }
        ASSERT_EQ(h.n, 0); /* nothing half-read */
        wfpw_hosts_free(&h);
    }
    /* the live source's lenient reading: bad lines skipped and counted, the rest kept */
    {
        static const char text[] = "127.0.0.1 ok.example\nts01-b.cloudsink.net 127.0.0.1\n10.0.0.1\n"
                                   "0.0.0.0 ts01-b.cloudsink.net\n";
        struct wfpw_hosts h;
        char err[256] = "";
        wfpw_hosts_init(&h);
        ASSERT_EQ(wfpw_hosts_parse(&h, "hosts", (const uint8_t *)text, strlen(text), 1, err, sizeof(err)), 0);
        ASSERT_EQ(h.n, 2);
        ASSERT_EQ(h.skipped, 2);
        ASSERT_STR_EQ(h.first_skip, "hosts:2: the first field 'ts01-b.cloudsink.net' is not an IPv4 or IPv6 address");
        ASSERT_STR_EQ(h.e[1].name, "ts01-b.cloudsink.net");
        ASSERT_EQ(wfpw_hosts_parse(&h, "hosts", (const uint8_t *)"\xfe\xff\x00\x31", 4, 1, err, sizeof(err)),
                  WFPW_EINVAL); /* an encoding Windows cannot read stays an error */
        wfpw_hosts_free(&h);
    }
    return 0;
}

TEST_IMPL(netaddr_classes)
{
    static const struct { const char *a; int cls; } cases[] = {
        {"127.0.0.1", WFPW_ADDR_LOOPBACK}, {"127.255.1.2", WFPW_ADDR_LOOPBACK}, {"0.0.0.0", WFPW_ADDR_UNSPECIFIED},
        {"10.1.2.3", WFPW_ADDR_PRIVATE}, {"172.16.0.1", WFPW_ADDR_PRIVATE}, {"172.32.0.1", WFPW_ADDR_PUBLIC},
        {"192.168.1.1", WFPW_ADDR_PRIVATE}, {"100.100.100.100", WFPW_ADDR_PRIVATE}, {"169.254.1.1", WFPW_ADDR_LINKLOCAL},
        {"52.25.223.26", WFPW_ADDR_PUBLIC}, {"::1", WFPW_ADDR_LOOPBACK}, {"::", WFPW_ADDR_UNSPECIFIED},
        {"[::1]", WFPW_ADDR_LOOPBACK}, {"fd00::1", WFPW_ADDR_PRIVATE}, {"fe80::1%12", WFPW_ADDR_LINKLOCAL},
        {"2001:db8::1", WFPW_ADDR_PUBLIC}, {"::ffff:127.0.0.1", WFPW_ADDR_LOOPBACK},
        {"1:2:3:4:5:6:7:8", WFPW_ADDR_PUBLIC},
    };
    static const char *const invalid[] = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", ":::", "1:2:3:4:5:6:7:8:9",
                                          "::1::", "12345::", "1.2.3.4/33", "g::1", "1:2", "1.2.3.4/", "01234.1.1.1"};
    struct wfpw_netaddr a, b;
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ASSERT_EQ(wfpw_netaddr_parse(cases[i].a, &a), 0);
        if (wfpw_netaddr_class(&a) != cases[i].cls) {
            fprintf(stderr, "%s: class %d, want %d\n", cases[i].a, wfpw_netaddr_class(&a), cases[i].cls);
            ASSERT(0);
        }
    }
    for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
        if (wfpw_netaddr_parse(invalid[i], &a) == 0) {
            fprintf(stderr, "'%s' accepted\n", invalid[i]);
            ASSERT(0);
        }
    ASSERT_EQ(wfpw_netaddr_parse("2001:db8:0:0:1::2", &a), 0);
    ASSERT(a.a[0] == 0x20 && a.a[1] == 0x01 && a.a[9] == 1 && a.a[15] == 2);
    ASSERT_EQ(wfpw_netaddr_parse_mask("52.25.0.0", "255.255.0.0", &a), 0);
    ASSERT_EQ(a.prefix, 16);
    ASSERT(wfpw_netaddr_parse_mask("52.25.0.0", "255.0.255.0", &a) != 0); /* not contiguous */
    ASSERT_EQ(wfpw_netaddr_parse_mask("52.25.0.0", "255.255.0.0", &a), 0);
    ASSERT_EQ(wfpw_netaddr_parse("52.25.223.26", &b), 0);
    ASSERT_EQ(wfpw_netaddr_overlap(&a, &b), 1);
    ASSERT_EQ(wfpw_netaddr_parse("52.26.0.1", &b), 0);
    ASSERT_EQ(wfpw_netaddr_overlap(&a, &b), 0);
    ASSERT_EQ(wfpw_netaddr_parse("0.0.0.0/0", &a), 0);
    ASSERT_EQ(wfpw_netaddr_overlap(&a, &b), 1);
    ASSERT_EQ(wfpw_netaddr_parse("::/0", &a), 0);
    ASSERT_EQ(wfpw_netaddr_overlap(&a, &b), 0); /* families differ */
    return 0;
}
