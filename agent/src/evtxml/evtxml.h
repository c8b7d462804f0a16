/*
 * evtxml.h — rendered Windows Security event XML (EvtRender EvtRenderEventXml, or a file of
 * such events) -> proto v1 events. The same parser serves the live event-log source
 * (issue #6), the replay source and `wfpwatch-agent parse-event`.
 *
 * Input: one or more <Event> elements, with or without an <Events> wrapper, optional XML
 * declaration and comments; streamed through expat in chunks. Fields are read by
 * <Data Name=...>, never by position or event version (layouts differ between Windows
 * builds); ProcessID (5156/5157) and ProcessId (elsewhere) are both accepted. %%NNNNN tokens
 * are decoded from our own table (shared/facts/events.md §4.1), not from localized text.
 *
 * Conversion: 5157, 5155, 5159, 5031 (connection level) and 5152, 5153, 5150, 5151 (packet
 * level) become connection_blocked with source "audit" and origin {event_id, record_id}.
 * Local versus remote: outbound -> Source is local; inbound -> Dest is local, except on
 * loopback where the accepting socket is Source (events.md §0.6); an is_local hook (the
 * host's own addresses, issue #6) overrides the rule when it can tell. Listen and bind
 * blocks carry no direction and are reported as inbound. WFP policy changes (5441, 5446,
 * 5447, 5448, 5450) are handed over as `change`; 1102 (the Security log was cleared) becomes
 * a high alert `security-log-cleared` naming the account. Policy changes (wfpchange.h) are for the pipeline to
 * attribute filter changes. Other event ids are handed over unconverted (ev NULL, with a reason) so
 * callers can count them.
 */
#ifndef WFPW_EVTXML_H
#define WFPW_EVTXML_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "fwrules.h"
#include "proctab.h"
#include "regwho.h"
#include "wfpchange.h"

struct wfpw_evtxml_opts {
    /* \device\harddiskvolumeN\... -> drive-letter path into out; 0 when mapped, else the
     * device path is kept. NULL: keep every device path. */
    int (*map_device_path)(void *ctx, const char *nt_path, char *out, size_t len);
    /* 1 when ip is one of this host's addresses, 0 when not, -1 when unknown. */
    int (*is_local)(void *ctx, const char *ip);
    void *ctx;
};

struct wfpw_evtxml_event {
    uint32_t event_id;
    uint64_t record_id;
    int64_t time_ms;
    const char *computer;
    cJSON *ev;              /* the converted event (callback takes ownership), or NULL; with
                             * pass 0 it is valid proto v1 as a whole (checked by the
                             * conversion: the source emits it with WFPW_EV_VALIDATED) */
    int packet_level;       /* 1: a packet drop (aggregate it) */
    int pass;               /* 1: ev is not a blocked connection (an alert): emit it as is */
    const char *reason;     /* why ev is NULL: "permitted event", "not a blocking event", ... */
    const struct wfpw_policy_change *change;  /* a policy change (ev NULL); valid during the callback */
    const struct wfpw_proc *created;          /* 4688, a process was created (ev NULL); valid during the callback */
    const struct wfpw_fwrule_change *fwrule;  /* a firewall rule added/modified/deleted (the firewall's own log,
                                                 2004-2006, 2052, 2071, 2073; ev NULL); valid during the callback */
    struct wfpw_regchange *regchange;         /* 4657, a registry value was created, modified or deleted (ev
                                                 NULL; proc NULL); valid during the callback */
};

/* Called per <Event>; non-zero stops parsing with that code. */
typedef int (*wfpw_evtxml_cb)(void *ctx, struct wfpw_evtxml_event *e);

struct wfpw_evtxml;

/* opts may be NULL. NULL on out of memory. */
struct wfpw_evtxml *wfpw_evtxml_new(const struct wfpw_evtxml_opts *opts, wfpw_evtxml_cb cb, void *ctx);
/* Feed the next chunk (last = 1 with the final one). 0, or WFPW_ESYNTAX/WFPW_EPROTO with
 * "line N: ..." in err (malformed XML, an <Event> without EventID, a bad field value), or
 * the callback's code. Events before the error were delivered. */
int wfpw_evtxml_feed(struct wfpw_evtxml *p, const char *data, size_t len, int last, char *err, size_t errlen);
void wfpw_evtxml_free(struct wfpw_evtxml *p);

/* "%%14593" -> "outbound" ("inbound", "forward", "bidirectional"; the last two are sent as
 * inbound with direction_detail); the layer of a %%146xx token for an address family (4/6) and
 * direction: "ALE_AUTH_CONNECT_V4". NULL when unknown. */
const char *wfpw_evt_direction(const char *token);
const char *wfpw_evt_layer(const char *token, int ipv6, int inbound);

#endif
