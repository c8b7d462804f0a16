/*
 * test-peerlimit.c — collector/src/net/peerlimit.c: the per-address connection cap, the
 * handshake token bucket refilling with time, addresses independent of each other, and a
 * table full of addresses reusing the entry idle longest instead of growing.
 */
#include "../../runner.h"
#include "net/peerlimit.h"

TEST_IMPL(peerlimit_caps)
{
    struct wfpw_peerlimit_cfg cfg = {3, 2, 4, 8};
    int slots[8], s, i;
    char addr[32];
    ASSERT(wfpw_peerlimit_init(&cfg) == 0);
    /* three open connections from one address, the fourth refused */
    for (i = 0; i < 3; i++)
        ASSERT_EQ(wfpw_peerlimit_open("10.0.0.1", 1000, &slots[i]), WFPW_PEER_OK);
    ASSERT_EQ(wfpw_peerlimit_open("10.0.0.1", 1000, &s), WFPW_PEER_TOO_MANY);
    ASSERT_EQ(s, -1);
    /* another address is not affected */
    ASSERT_EQ(wfpw_peerlimit_open("10.0.0.2", 1000, &slots[3]), WFPW_PEER_OK);
    /* closing one makes room, but the burst of 4 handshakes is spent: too fast now */
    wfpw_peerlimit_closed(slots[0]);
    ASSERT_EQ(wfpw_peerlimit_open("10.0.0.1", 1000, &slots[0]), WFPW_PEER_OK); /* 4th token */
    wfpw_peerlimit_closed(slots[0]);
    ASSERT_EQ(wfpw_peerlimit_open("10.0.0.1", 1000, &s), WFPW_PEER_TOO_FAST);
    /* two a second come back */
    ASSERT_EQ(wfpw_peerlimit_open("10.0.0.1", 1500, &slots[0]), WFPW_PEER_OK);
    wfpw_peerlimit_closed(slots[0]);
    ASSERT_EQ(wfpw_peerlimit_open("10.0.0.1", 1500, &s), WFPW_PEER_TOO_FAST);
    /* many addresses: the table stays its size and an idle entry is reused */
    for (i = 0; i < 200; i++) {
        snprintf(addr, sizeof(addr), "192.0.2.%d", i);
        ASSERT_EQ(wfpw_peerlimit_open(addr, 2000 + (uint64_t)i, &s), WFPW_PEER_OK);
        wfpw_peerlimit_closed(s);
    }
    /* the addresses with open connections kept their counts */
    ASSERT_EQ(wfpw_peerlimit_open("10.0.0.1", 3000, &s), WFPW_PEER_OK);
    ASSERT_EQ(wfpw_peerlimit_open("10.0.0.1", 3000, &slots[4]), WFPW_PEER_TOO_MANY);
    wfpw_peerlimit_free();
    return 0;
}
