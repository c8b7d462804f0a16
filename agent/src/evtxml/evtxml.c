/*
 * evtxml.c — streaming reader of rendered Security event XML (evtxml.h). expat sees the
 * input inside a synthetic <wfpw-events> root, so files with several top-level <Event>
 * elements (what exporters write) parse like an <Events> document. Per <Event> we collect
 * EventID, TimeCreated/@SystemTime, EventRecordID, Computer and the <Data Name> values,
 * then convert at </Event>.
 */
#include "evtxml.h"

#include <ctype.h>
#include <expat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfpw/attr.h"
#include "wfpw/buf.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"
#include "wfpw/timefmt.h"

#define MAX_DATA 64
#define MAX_VALUE 32768
#define WRAP_OPEN "<wfpw-events>"
#define WRAP_CLOSE "</wfpw-events>"

enum field { T_NONE, T_EVENTID, T_RECORDID, T_COMPUTER, T_DATA };

struct item {
    char name[64];
    size_t off, len;
};

struct wfpw_evtxml {
    XML_Parser xp;
    struct wfpw_evtxml_opts opts;
    wfpw_evtxml_cb cb;
    void *ctx;
    int depth, event_depth;       /* event_depth: depth of the open <Event>, 0 when none */
    int userdata_depth;           /* depth of an open <UserData>, 0 when none */
    enum field capture;
    struct wfpw_buf text;         /* text of the element being captured */
    struct wfpw_buf values;       /* Data values of this event, NUL-separated */
    struct item items[MAX_DATA];
    size_t nitems;
    char eventid[16], recordid[24], computer[256], systime[64];
    struct wfpw_policy_change change;  /* the current event's, when it is one */
    struct wfpw_proc created;          /* the current 4688's (owned; cleared after the callback) */
    struct wfpw_fwrule_change fwrule;  /* the current firewall rule change (points into values) */
    struct wfpw_regchange regchange;   /* the current 4657 (points into values and regaccount) */
    char regaccount[1100];
    int cut;                      /* the element's text was cut at MAX_VALUE: drop the rest */
    int started;                  /* wrapper sent */
    int rc;                       /* first error (sticky) */
    char err[256];
};

/* ---- %% tokens (msobjs.dll, shared/facts/events.md §4.1) ------------------------------------- */

const char *wfpw_evt_direction(const char *t)
{
    if (t == NULL)
        return NULL;
    if (strcmp(t, "%%14592") == 0)
        return "inbound";
    if (strcmp(t, "%%14593") == 0)
        return "outbound";
    /* a routed packet (this host forwards) and "bidirectional" arrive from the network: the
     * wire says inbound and the event keeps the detail (direction_detail) */
    if (strcmp(t, "%%14594") == 0)
        return "forward";
    if (strcmp(t, "%%14595") == 0)
        return "bidirectional";
    return NULL;
}

struct layer_tok {
    const char *token;
    const char *in4, *in6, *out4, *out6;   /* inbound/outbound variants; same when one layer */
};

static const struct layer_tok layers[] = {
    {"%%14596", "INBOUND_IPPACKET_V4", "INBOUND_IPPACKET_V6", "OUTBOUND_IPPACKET_V4", "OUTBOUND_IPPACKET_V6"},
    {"%%14597", "INBOUND_TRANSPORT_V4", "INBOUND_TRANSPORT_V6", "OUTBOUND_TRANSPORT_V4", "OUTBOUND_TRANSPORT_V6"},
    {"%%14598", "IPFORWARD_V4", "IPFORWARD_V6", "IPFORWARD_V4", "IPFORWARD_V6"},
    {"%%14599", "STREAM_V4", "STREAM_V6", "STREAM_V4", "STREAM_V6"},
    {"%%14600", "DATAGRAM_DATA_V4", "DATAGRAM_DATA_V6", "DATAGRAM_DATA_V4", "DATAGRAM_DATA_V6"},
    {"%%14601", "INBOUND_ICMP_ERROR_V4", "INBOUND_ICMP_ERROR_V6", "OUTBOUND_ICMP_ERROR_V4", "OUTBOUND_ICMP_ERROR_V6"},
    {"%%14602", "INBOUND_MAC_FRAME_ETHERNET", "INBOUND_MAC_FRAME_ETHERNET", "OUTBOUND_MAC_FRAME_ETHERNET",
     "OUTBOUND_MAC_FRAME_ETHERNET"},
    {"%%14603", "INBOUND_MAC_FRAME_NATIVE", "INBOUND_MAC_FRAME_NATIVE", "OUTBOUND_MAC_FRAME_NATIVE",
     "OUTBOUND_MAC_FRAME_NATIVE"},
    {"%%14604", "INGRESS_VSWITCH_ETHERNET", "INGRESS_VSWITCH_ETHERNET", "EGRESS_VSWITCH_ETHERNET", "EGRESS_VSWITCH_ETHERNET"},
    {"%%14608", "ALE_RESOURCE_ASSIGNMENT_V4", "ALE_RESOURCE_ASSIGNMENT_V6", "ALE_RESOURCE_ASSIGNMENT_V4",
     "ALE_RESOURCE_ASSIGNMENT_V6"},
    {"%%14609", "ALE_AUTH_LISTEN_V4", "ALE_AUTH_LISTEN_V6", "ALE_AUTH_LISTEN_V4", "ALE_AUTH_LISTEN_V6"},
    {"%%14610", "ALE_AUTH_RECV_ACCEPT_V4", "ALE_AUTH_RECV_ACCEPT_V6", "ALE_AUTH_RECV_ACCEPT_V4", "ALE_AUTH_RECV_ACCEPT_V6"},
    {"%%14611", "ALE_AUTH_CONNECT_V4", "ALE_AUTH_CONNECT_V6", "ALE_AUTH_CONNECT_V4", "ALE_AUTH_CONNECT_V6"},
    {"%%14612", "ALE_FLOW_ESTABLISHED_V4", "ALE_FLOW_ESTABLISHED_V6", "ALE_FLOW_ESTABLISHED_V4", "ALE_FLOW_ESTABLISHED_V6"},
    {"%%14614", "ALE_RESOURCE_RELEASE_V4", "ALE_RESOURCE_RELEASE_V6", "ALE_RESOURCE_RELEASE_V4", "ALE_RESOURCE_RELEASE_V6"},
    {"%%14615", "ALE_ENDPOINT_CLOSURE_V4", "ALE_ENDPOINT_CLOSURE_V6", "ALE_ENDPOINT_CLOSURE_V4", "ALE_ENDPOINT_CLOSURE_V6"},
    {"%%14616", "ALE_CONNECT_REDIRECT_V4", "ALE_CONNECT_REDIRECT_V6", "ALE_CONNECT_REDIRECT_V4", "ALE_CONNECT_REDIRECT_V6"},
    {"%%14617", "ALE_BIND_REDIRECT_V4", "ALE_BIND_REDIRECT_V6", "ALE_BIND_REDIRECT_V4", "ALE_BIND_REDIRECT_V6"},
    {"%%14624", "STREAM_PACKET_V4", "STREAM_PACKET_V6", "STREAM_PACKET_V4", "STREAM_PACKET_V6"},
};

const char *wfpw_evt_layer(const char *t, int ipv6, int inbound)
{
    size_t i;
    if (t == NULL)
        return NULL;
    for (i = 0; i < sizeof(layers) / sizeof(layers[0]); i++)
        if (strcmp(layers[i].token, t) == 0)
            return inbound ? (ipv6 ? layers[i].in6 : layers[i].in4) : (ipv6 ? layers[i].out6 : layers[i].out4);
    return NULL;
}

/* ---- conversion --------------------------------------------------------------------------- */

static const char *data(const struct wfpw_evtxml *p, const char *name)
{
    size_t i;
    for (i = 0; i < p->nitems; i++)
        if (strcmp(p->items[i].name, name) == 0)
            return p->values.data + p->items[i].off;
    return NULL;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    v = strtoull(s, &end, 10);
    if (*end != '\0' || v > max)
        return -1;
    *out = v;
    return 0;
}

/* "2016-06-29T15:24:57.090800000Z" (any number of fraction digits) -> ms */
static int parse_systime(const char *s, int64_t *ms)
{
    char buf[WFPW_TIME_LEN + 1];
    size_t n = strlen(s), i;
    if (n < 20 || n > 40 || s[n - 1] != 'Z' || (s[19] != 'Z' && s[19] != '.'))
        return -1;
    memcpy(buf, s, 19);
    buf[19] = '.';
    for (i = 0; i < 3; i++)
        buf[20 + i] = (s[19] == '.' && 20 + i < n - 1) ? s[20 + i] : '0';
    buf[23] = 'Z', buf[24] = '\0';
    return wfpw_time_parse_ms(buf, ms) == 0 ? 0 : -1;
}

static int is_loopback(const char *ip)
{
    return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0;
}

static int fail(struct wfpw_evtxml *p, int code, const char *fmt, ...) WFPW_PRINTF(3, 4);
static int fail(struct wfpw_evtxml *p, int code, const char *fmt, ...)
{
    if (p->rc == 0) {
        va_list ap;
        size_t n;
        p->rc = code;
        snprintf(p->err, sizeof(p->err), "line %lu, event %s: ", (unsigned long)XML_GetCurrentLineNumber(p->xp),
                 p->eventid[0] ? p->eventid : "?");
        n = strlen(p->err);
        va_start(ap, fmt);
        vsnprintf(p->err + n, sizeof(p->err) - n, fmt, ap);
        va_end(ap);
    }
    XML_StopParser(p->xp, XML_FALSE);
    return code;
}

static const char *data_cb(void *ctx, const char *name)
{
    return data(ctx, name);
}

/* A process id as 4688 writes it ("0x1a2c"), or decimal. */
static int parse_pid(const char *s, int64_t *out)
{
    char *end;
    unsigned long long v;
    int hex = s != NULL && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    if (s == NULL || (hex ? !isxdigit((unsigned char)s[2]) : (*s < '0' || *s > '9')))
        return -1;
    v = strtoull(hex ? s + 2 : s, &end, hex ? 16 : 10);
    if (*end != '\0' || v > 0xFFFFFFFFull)
        return -1;
    *out = (int64_t)v;
    return 0;
}

/* 4688, a process was created (Microsoft's event-4688 page; fields in docs/windows-behaviour.md
 * P2): kept for naming the program behind a later 5447's process id. */
static int process_created(struct wfpw_evtxml *p, struct wfpw_evtxml_event *e)
{
    struct wfpw_proc *c = &p->created;
    const char *sid = data(p, "SubjectUserSid"), *dom = data(p, "SubjectDomainName"), *user = data(p, "SubjectUserName");
    const char *tsid = data(p, "TargetUserSid");
    char account[1100];
    int w;
    wfpw_proc_clear(c);
    if (tsid && tsid[0] && strcmp(tsid, "-") && strcmp(tsid, "S-1-0-0")) {
        /* version 2: the account the new process runs as, when not the creator's (a service
         * started by services.exe, a task, CreateProcessAsUser) */
        sid = tsid, dom = data(p, "TargetDomainName"), user = data(p, "TargetUserName");
    }
    if (parse_pid(data(p, "NewProcessId"), &c->pid) != 0)
        return fail(p, WFPW_EPROTO, "NewProcessId \"%.32s\" is not a process id",
                    data(p, "NewProcessId") ? data(p, "NewProcessId") : "(missing)");
    if (data(p, "ProcessId") != NULL && parse_pid(data(p, "ProcessId"), &c->parent_pid) != 0)
        return fail(p, WFPW_EPROTO, "ProcessId \"%.32s\" is not a process id", data(p, "ProcessId"));
    w = snprintf(account, sizeof(account), "%.512s%s%.512s", dom && strcmp(dom, "-") ? dom : "",
                 dom && strcmp(dom, "-") ? "\\" : "", user ? user : "");
    if (w < 0 || (size_t)w >= sizeof(account) || (dom && strlen(dom) > 512) || (user && strlen(user) > 512))
        user = NULL;  /* not cut inside a character: no account rather than half of one */
    c->start_ms = e->time_ms, c->record_id = e->record_id;
    if (wfpw_proc_set(&c->image, data(p, "NewProcessName")) || wfpw_proc_set(&c->command_line, data(p, "CommandLine")) ||
        wfpw_proc_set(&c->parent_image, data(p, "ParentProcessName")) ||
        wfpw_proc_set_max(&c->user_sid, sid, WFPW_SID_TEXT_MAX) || wfpw_proc_set(&c->user, user ? account : NULL))
        return WFPW_ENOMEM;
    e->created = c;
    e->reason = "process created";
    return 0;
}

/* A small number field of the firewall's log ("1", "2147483647"); dflt when absent or not one. */
static int fw_num(struct wfpw_evtxml *p, const char *name, int dflt)
{
    uint64_t v;
    return parse_u64(data(p, name), 0x7FFFFFFF, &v) == 0 ? (int)v : dflt;
}

/* A firewall rule added, modified or deleted, from the firewall's operational log (fields in
 * docs/windows-behaviour.md PR5): kept to name the rule and its changer on the filters the
 * firewall service makes from it. */
static int firewall_rule(struct wfpw_evtxml *p, struct wfpw_evtxml_event *e)
{
    struct wfpw_fwrule_change *c = &p->fwrule;
    memset(c, 0, sizeof(*c));
    c->kind = wfpw_fwrule_kind_of(e->event_id);
    c->rule_id = data(p, "RuleId"), c->rule_name = data(p, "RuleName");
    if (c->rule_name == NULL || c->rule_name[0] == '\0') {
        /* the same ids are used by other providers (in other logs): not a rule change */
        e->reason = "not a firewall rule change (no RuleName)";
        return 0;
    }
    c->group = data(p, "EmbeddedContext"), c->application = data(p, "ApplicationPath");
    c->service = data(p, "ServiceName");
    c->direction = fw_num(p, "Direction", 0), c->action = fw_num(p, "Action", 0), c->active = fw_num(p, "Active", -1);
    c->modifying_user = data(p, "ModifyingUser"), c->modifying_app = data(p, "ModifyingApplication");
    c->event_id = e->event_id, c->record_id = e->record_id, c->time_ms = e->time_ms;
    e->fwrule = c;
    e->reason = "firewall rule change";
    return 0;
}

/* 4657, a registry value was created, modified or deleted (Microsoft's event-4657 page; the
 * operation tokens from "Use Windows Event Forwarding to help with intrusion detection";
 * docs/windows-behaviour.md PR6): kept to name who changed the silencing surface. */
static int registry_changed(struct wfpw_evtxml *p, struct wfpw_evtxml_event *e)
{
    struct wfpw_regchange *c = &p->regchange;
    const char *op = data(p, "OperationType"), *dom = data(p, "SubjectDomainName"), *user = data(p, "SubjectUserName");
    memset(c, 0, sizeof(*c));
    c->key = data(p, "ObjectName");
    if (c->key == NULL || c->key[0] == '\0' || strcmp(c->key, "-") == 0)
        return fail(p, WFPW_EPROTO, "event 4657 without an ObjectName");
    c->value = data(p, "ObjectValueName");
    c->op = op == NULL ? 0 : !strcmp(op, "%%1904") ? WFPW_REGOP_CREATED : !strcmp(op, "%%1905") ? WFPW_REGOP_MODIFIED
                           : !strcmp(op, "%%1906") ? WFPW_REGOP_DELETED : 0;
    c->pid = -1;
    if (data(p, "ProcessId") != NULL && parse_pid(data(p, "ProcessId"), &c->pid) != 0)
        return fail(p, WFPW_EPROTO, "ProcessId \"%.32s\" is not a process id", data(p, "ProcessId"));
    c->process_name = data(p, "ProcessName"), c->user_sid = data(p, "SubjectUserSid");
    if (user && user[0] && strcmp(user, "-") && strlen(user) <= 512 && (dom == NULL || strlen(dom) <= 512)) {
        int d = dom && strcmp(dom, "-") != 0;
        snprintf(p->regaccount, sizeof(p->regaccount), "%s%s%s", d ? dom : "", d ? "\\" : "", user);
        c->user = p->regaccount;
    }
    c->event_id = e->event_id, c->record_id = e->record_id, c->time_ms = e->time_ms;
    e->regchange = c;
    e->reason = "registry value changed";
    return 0;
}

/* Convert the collected event to connection_blocked, or say why not. */
static int convert(struct wfpw_evtxml *p, struct wfpw_evtxml_event *e)
{
    struct wfpw_ev_blocked b;
    struct wfpw_endpoint ep_local, ep_remote;
    const char *dir = data(p, "Direction"), *app = data(p, "Application");
    const char *src = data(p, "SourceAddress"), *dst = data(p, "DestAddress");
    const char *pid = data(p, "ProcessID") ? data(p, "ProcessID") : data(p, "ProcessId");
    char path[MAX_VALUE];
    const char *detail = NULL;
    uint64_t v = 0;
    int inbound, local_is_src, id = (int)e->event_id;

    switch (id) {
    case 5152: case 5153: case 5150: case 5151:
        e->packet_level = 1;
        break;
    case 5157: case 5155: case 5159: case 5031:
        break;
    case 5154: case 5156: case 5158:
        e->reason = "permitted event";
        return 0;
    case 1102: {
        /* the Security log was cleared: whoever did it also erased the audit trail of
         * whatever came before, filter changes included */
        struct wfpw_ev_alert a;
        char details[600];
        const char *dom = data(p, "SubjectDomainName"), *user = data(p, "SubjectUserName");
        const char *sid = data(p, "SubjectUserSid");
        snprintf(details, sizeof(details), "cleared by %s%s%s (%s) on %s; the audit events before this one are gone",
                 dom ? dom : "", dom ? "\\" : "", user ? user : "an unknown account", sid ? sid : "no SID",
                 p->computer[0] ? p->computer : "this host");
        memset(&a, 0, sizeof(a));
        a.seq = 1, a.time_ms = e->time_ms, a.source = "audit", a.rule = "security-log-cleared";
        a.severity = "high", a.title = "The Security event log was cleared", a.details = details;
        if ((e->ev = wfpw_event_alert(&a)) == NULL)
            return WFPW_ENOMEM;
        e->pass = 1;
        return 0;
    }
    case 5441: case 5446: case 5447: case 5448: case 5450: {
        char msg[256];
        int rc = wfpw_policy_change_parse(e->event_id, data_cb, p, &p->change, msg, sizeof(msg));
        if (rc == WFPW_ENOMEM)
            return rc;
        if (rc != 0)
            return fail(p, rc, "%s", msg);
        p->change.record_id = e->record_id, p->change.time_ms = e->time_ms;
        e->change = &p->change;
        e->reason = "policy change";
        return 0;
    }
    case 4688:
        return process_created(p, e);
    case 4657:
        return registry_changed(p, e);
    case 2004: case 2005: case 2006: case 2052: case 2071: case 2073:
        return firewall_rule(p, e);
    default:
        e->reason = "not a blocking event";
        return 0;
    }
    memset(&b, 0, sizeof(b));
    b.seq = 1;
    b.time_ms = b.first_seen_ms = b.last_seen_ms = e->time_ms;
    b.source = "audit";
    b.count = 1;
    b.verdict = "unknown";
    b.has_origin = 1, b.origin_event_id = e->event_id, b.origin_record_id = e->record_id;
    b.pid = -1;
    b.protocol = -1;

    if (id == 5155 || id == 5159 || id == 5031) {
        inbound = 1;
    } else {
        const char *d = wfpw_evt_direction(dir);
        if (d == NULL)
            return fail(p, WFPW_EPROTO, "Direction \"%.32s\" is not %%%%14592..%%%%14595", dir ? dir : "(missing)");
        inbound = strcmp(d, "outbound") != 0;
        if (strcmp(d, "inbound") != 0 && inbound)
            detail = d;
    }
    b.direction = inbound ? "inbound" : "outbound";
    if (data(p, "Protocol")) {
        if (parse_u64(data(p, "Protocol"), 255, &v) != 0)
            return fail(p, WFPW_EPROTO, "Protocol \"%.32s\" is not 0..255", data(p, "Protocol"));
        b.protocol = (int)v;
    }
    if (pid && parse_u64(pid, 0xFFFFFFFFu, &v) == 0)
        b.pid = (int64_t)v;
    else if (pid)
        return fail(p, WFPW_EPROTO, "ProcessId \"%.32s\" is not a number", pid);
    if (app && strcmp(app, "-") != 0 && app[0]) {
        if (strncmp(app, "\\device\\", 8) == 0 && p->opts.map_device_path &&
            p->opts.map_device_path(p->opts.ctx, app, path, sizeof(path)) == 0)
            b.path = path;
        else
            b.path = app;
    } else if (app && strcmp(app, "-") == 0 && b.pid == 0) {
        b.pid = -1; /* a packet tied to no process */
    }
    if (data(p, "FilterRTID") && parse_u64(data(p, "FilterRTID"), WFPW_JSON_MAX_SAFE_INT, &v) != 0)
        return fail(p, WFPW_EPROTO, "FilterRTID \"%.32s\" is not a number", data(p, "FilterRTID"));
    b.filter_id = data(p, "FilterRTID") ? v : 0;

    /* endpoints */
    if (id == 5031) {
        b.local = b.remote = NULL;
    } else if (id == 5155 || id == 5159) {
        if (src == NULL || parse_u64(data(p, "SourcePort"), 65535, &v) != 0)
            return fail(p, WFPW_EPROTO, "SourceAddress/SourcePort missing or not a port%s", "");
        ep_local.ip = src, ep_local.port = (uint32_t)v;
        b.local = &ep_local;
    } else {
        uint64_t sp, dp;
        int hint;
        if (src == NULL || dst == NULL || parse_u64(data(p, "SourcePort"), 65535, &sp) != 0 ||
            parse_u64(data(p, "DestPort"), 65535, &dp) != 0)
            return fail(p, WFPW_EPROTO, "Source/Dest address or port missing or not a number%s", "");
        local_is_src = !inbound || is_loopback(src);
        if (p->opts.is_local) {
            int s = p->opts.is_local(p->opts.ctx, src), d = p->opts.is_local(p->opts.ctx, dst);
            hint = s == 1 && d == 0 ? 1 : (d == 1 && s == 0 ? 0 : -1);
            if (hint >= 0)
                local_is_src = hint;
        }
        ep_local.ip = local_is_src ? src : dst, ep_local.port = (uint32_t)(local_is_src ? sp : dp);
        ep_remote.ip = local_is_src ? dst : src, ep_remote.port = (uint32_t)(local_is_src ? dp : sp);
        b.local = &ep_local, b.remote = &ep_remote;
    }
    if (id != 5031) {
        const char *ip = b.local ? b.local->ip : "";
        b.layer = wfpw_evt_layer(data(p, "LayerName"), strchr(ip, ':') != NULL, inbound);
    }
    if ((e->ev = wfpw_event_blocked(&b)) == NULL)
        return WFPW_ENOMEM;
    if (detail && !cJSON_AddStringToObject(e->ev, "direction_detail", detail)) {
        cJSON_Delete(e->ev);
        e->ev = NULL;
        return WFPW_ENOMEM;
    }
    {
        struct wfpw_proto_err perr;
        if (wfpw_event_validate(e->ev, "event", &perr) != 0) {
            char msg[600];
            cJSON_Delete(e->ev);
            e->ev = NULL;
            snprintf(msg, sizeof(msg), "%s: %s", perr.field, perr.msg);
            return fail(p, WFPW_EPROTO, "converted event is not valid: %s", msg);
        }
    }
    return 0;
}

/* ---- expat callbacks ------------------------------------------------------------------------ */

static void reset_event(struct wfpw_evtxml *p)
{
    p->nitems = 0;
    p->userdata_depth = 0;
    wfpw_buf_reset(&p->values);
    p->eventid[0] = p->recordid[0] = p->computer[0] = p->systime[0] = '\0';
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct wfpw_evtxml *p = ud;
    size_t i;
    p->depth++;
    if (p->rc)
        return;
    if (strcmp(name, "Event") == 0) {
        if (p->event_depth) {
            fail(p, WFPW_EPROTO, "<Event> inside <Event>%s", "");
            return;
        }
        p->event_depth = p->depth;
        reset_event(p);
        return;
    }
    if (!p->event_depth)
        return;
    p->capture = T_NONE;
    p->cut = 0;
    wfpw_buf_reset(&p->text);
    if (strcmp(name, "EventID") == 0)
        p->capture = T_EVENTID;
    else if (strcmp(name, "EventRecordID") == 0)
        p->capture = T_RECORDID;
    else if (strcmp(name, "Computer") == 0)
        p->capture = T_COMPUTER;
    else if (strcmp(name, "TimeCreated") == 0) {
        for (i = 0; atts[i]; i += 2)
            if (strcmp(atts[i], "SystemTime") == 0)
                snprintf(p->systime, sizeof(p->systime), "%s", atts[i + 1]);
    } else if (strcmp(name, "UserData") == 0) {
        p->userdata_depth = p->depth;
    } else if (p->userdata_depth && p->depth > p->userdata_depth + 1) {
        /* <UserData><LogFileCleared><SubjectUserName>..: leaves named by their element */
        const char *local = strchr(name, ':') ? strchr(name, ':') + 1 : name;
        if (p->nitems == MAX_DATA || strlen(local) >= sizeof(p->items[0].name)) {
            fail(p, WFPW_EPROTO, "too many or too long <UserData> names (%.64s)", local);
            return;
        }
        strcpy(p->items[p->nitems].name, local);
        p->capture = T_DATA;
    } else if (strcmp(name, "Data") == 0) {
        const char *n = NULL;
        for (i = 0; atts[i]; i += 2)
            if (strcmp(atts[i], "Name") == 0)
                n = atts[i + 1];
        if (n == NULL)
            return; /* positional <Data> (classic events): not a WFP audit event layout */
        if (p->nitems == MAX_DATA || strlen(n) >= sizeof(p->items[0].name)) {
            fail(p, WFPW_EPROTO, "too many or too long <Data> names (%.64s)", n);
            return;
        }
        strcpy(p->items[p->nitems].name, n);
        p->capture = T_DATA;
    }
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    struct wfpw_evtxml *p = ud;
    size_t n = (size_t)len;
    if (p->rc || p->capture == T_NONE || p->cut)
        return;
    if (p->text.len + n > MAX_VALUE) {
        if (p->capture != T_DATA) {
            fail(p, WFPW_ETOOBIG, "element text longer than %d bytes", MAX_VALUE);
            return;
        }
        /* a field longer than we keep (a command line may be 32,767 UTF-16 units): kept up to
         * MAX_VALUE, cut between characters — the event is not lost for one long field */
        n = MAX_VALUE > p->text.len ? MAX_VALUE - p->text.len : 0;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)  /* n < len here */
            n--;
        p->cut = 1;
    }
    if (n > 0 && wfpw_buf_append(&p->text, s, n) != 0)
        fail(p, WFPW_ETOOBIG, "element text longer than %d bytes", MAX_VALUE);
}

static void copy_text(struct wfpw_evtxml *p, char *out, size_t len)
{
    snprintf(out, len, "%s", p->text.data ? p->text.data : "");
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    struct wfpw_evtxml *p = ud;
    p->depth--;
    if (p->rc || !p->event_depth)
        return;
    if (p->userdata_depth == p->depth + 1)
        p->userdata_depth = 0;
    if (p->depth + 1 == p->event_depth) {
        struct wfpw_evtxml_event e;
        uint64_t v;
        int rc;
        (void)name;
        p->event_depth = 0;
        memset(&e, 0, sizeof(e));
        if (parse_u64(p->eventid, 65535, &v) != 0) {
            fail(p, WFPW_EPROTO, "<EventID> missing or not 0..65535 (\"%.16s\")", p->eventid);
            return;
        }
        e.event_id = (uint32_t)v;
        if (p->recordid[0] && parse_u64(p->recordid, WFPW_JSON_MAX_SAFE_INT, &e.record_id) != 0) {
            fail(p, WFPW_EPROTO, "<EventRecordID> \"%.24s\" is not a number", p->recordid);
            return;
        }
        if (parse_systime(p->systime, &e.time_ms) != 0) {
            fail(p, WFPW_EPROTO, "<TimeCreated SystemTime> \"%.40s\" is not a UTC time", p->systime[0] ? p->systime : "(missing)");
            return;
        }
        e.computer = p->computer;
        if ((rc = convert(p, &e)) != 0) {
            if (p->rc == 0) {
                p->rc = rc;
                snprintf(p->err, sizeof(p->err), "%s", wfpw_strerror(rc));
            }
            XML_StopParser(p->xp, XML_FALSE);
            return;
        }
        rc = p->cb(p->ctx, &e);
        wfpw_policy_change_free(&p->change);
        wfpw_proc_clear(&p->created);
        if (rc != 0) {
            if (p->rc == 0) {
                p->rc = rc;
                snprintf(p->err, sizeof(p->err), "stopped by the consumer: %s", wfpw_strerror(rc));
            }
            XML_StopParser(p->xp, XML_FALSE);
        }
        return;
    }
    switch (p->capture) {
    case T_EVENTID: copy_text(p, p->eventid, sizeof(p->eventid)); break;
    case T_RECORDID: copy_text(p, p->recordid, sizeof(p->recordid)); break;
    case T_COMPUTER: copy_text(p, p->computer, sizeof(p->computer)); break;
    case T_DATA:
        p->items[p->nitems].off = p->values.len;
        p->items[p->nitems].len = p->text.len;
        if (p->text.len)
            wfpw_buf_append(&p->values, p->text.data, p->text.len);
        wfpw_buf_putc(&p->values, '\0');
        if (p->values.err)
            fail(p, WFPW_ETOOBIG, "event data larger than %s", "1 MiB");
        else
            p->nitems++;
        break;
    case T_NONE: break;
    }
    p->capture = T_NONE;
}

struct wfpw_evtxml *wfpw_evtxml_new(const struct wfpw_evtxml_opts *opts, wfpw_evtxml_cb cb, void *ctx)
{
    struct wfpw_evtxml *p = wfpw_calloc(1, sizeof(*p));
    if (p == NULL)
        return NULL;
    if ((p->xp = XML_ParserCreate("UTF-8")) == NULL) {
        wfpw_free(p);
        return NULL;
    }
    if (opts)
        p->opts = *opts;
    p->cb = cb, p->ctx = ctx;
    wfpw_proc_init(&p->created);
    wfpw_buf_init(&p->text, MAX_VALUE);
    wfpw_buf_init(&p->values, 1 << 20);
    XML_SetUserData(p->xp, p);
    XML_SetElementHandler(p->xp, on_start, on_end);
    XML_SetCharacterDataHandler(p->xp, on_text);
    return p;
}

/* Skip a BOM, blanks and an XML declaration at the very start: they may not appear inside
 * our wrapper element. */
static size_t skip_prolog(const char *d, size_t len)
{
    size_t i = 0;
    if (len >= 3 && (unsigned char)d[0] == 0xEF && (unsigned char)d[1] == 0xBB && (unsigned char)d[2] == 0xBF)
        i = 3;
    while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
        i++;
    if (len - i >= 5 && memcmp(d + i, "<?xml", 5) == 0) {
        const char *e = memchr(d + i, '>', len - i);
        if (e)
            i = (size_t)(e - d) + 1;
    }
    return i;
}

static int feed(struct wfpw_evtxml *p, const char *d, size_t len, int last)
{
    if (p->rc)
        return p->rc;
    if (XML_Parse(p->xp, d, (int)len, last) == XML_STATUS_ERROR && p->rc == 0) {
        p->rc = WFPW_ESYNTAX;
        snprintf(p->err, sizeof(p->err), "line %lu: %s", (unsigned long)XML_GetCurrentLineNumber(p->xp),
                 XML_ErrorString(XML_GetErrorCode(p->xp)));
    }
    return p->rc;
}

int wfpw_evtxml_feed(struct wfpw_evtxml *p, const char *data, size_t len, int last, char *err, size_t errlen)
{
    int rc = p->rc;
    if (rc == 0 && !p->started) {
        size_t skip = skip_prolog(data, len);
        p->started = 1;
        data += skip, len -= skip;
        rc = feed(p, WRAP_OPEN, strlen(WRAP_OPEN), 0);
    }
    while (rc == 0 && len > 0) {
        size_t n = len > (1u << 30) ? (1u << 30) : len;
        rc = feed(p, data, n, 0);
        data += n, len -= n;
    }
    if (rc == 0 && last) {
        if (p->event_depth)
            rc = fail(p, WFPW_ESYNTAX, "input ends inside an <Event>%s", "");
        else
            rc = feed(p, WRAP_CLOSE, strlen(WRAP_CLOSE), 1);
    }
    if (rc && err)
        snprintf(err, errlen, "%s", p->err);
    return rc;
}

void wfpw_evtxml_free(struct wfpw_evtxml *p)
{
    if (p == NULL)
        return;
    XML_ParserFree(p->xp);
    wfpw_policy_change_free(&p->change);
    wfpw_proc_clear(&p->created);
    wfpw_buf_free(&p->text);
    wfpw_buf_free(&p->values);
    wfpw_free(p);
}
