/*
 * validate.c — the proto v1 rules, as tables (see proto.h and schema/wfpwatch-batch-v1.json).
 *
 * Each object is a table of fields: name, kind, required/nullable, limits and the nested
 * table or enum values. The walker checks known fields by their table and unknown fields
 * by the generic limits only (they are kept, for forward compatibility). The first error
 * stops the walk and names the field by its JSON path.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <uv.h>

#include "wfpw/attr.h"
#include "wfpw/errors.h"
#include "wfpw/json.h"
#include "wfpw/proto.h"
#include "wfpw/timefmt.h"

enum vkind {
    V_STRING,   /* UTF-8 string, 1..4096 bytes unless lo/hi say otherwise */
    V_PATH,     /* string up to 32768 bytes */
    V_UINT,     /* integer in [lo, hi] (hi <= 2^53-1) */
    V_BOOL,
    V_TIME,     /* wire time */
    V_GUID,     /* {lowercase guid} */
    V_UUID,     /* lowercase uuid */
    V_IP,       /* IPv4 or IPv6 text */
    V_DECIMAL,  /* decimal string of a uint64 */
    V_ENUM,     /* one of ref (NULL-terminated string list) */
    V_OBJECT,   /* nested table ref */
    V_ARRAY,    /* array of elements described by ref (struct varr) */
    V_UINTMAP   /* object whose members are all integers (counters) */
};

#define F_REQ 1u  /* must be present */
#define F_NULL 2u /* may be null */

struct vfield {
    const char *name;
    enum vkind kind;
    unsigned flags;
    const void *ref;
    uint64_t lo, hi;
};

struct vobj {
    const struct vfield *fields;
    size_t n;
};

struct varr {
    enum vkind kind;
    const void *ref;
    uint64_t lo, hi; /* element limits, as for a field */
    size_t min, max;
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define SAFE WFPW_JSON_MAX_SAFE_INT
#define OBJ(t) {t, N(t)}

/* ---- the v1 tables ---------------------------------------------------------------------- */

static const char *const os_values[] = {"windows", "linux", NULL};
static const char *const source_values[] = {"callout", "audit", "netevent", "inventory", "agent", "surface", NULL};
static const char *const direction_values[] = {"inbound", "outbound", NULL};
static const char *const verdict_values[] = {"policy_block", "default_block", "stack_drop", "unknown", NULL};
static const char *const severity_values[] = {"critical", "high", "medium", "low", NULL};
static const char *const state_values[] = {"started", "stopping", "degraded", NULL};
static const char *const weight_types[] = {"EMPTY", "UINT8", "UINT64", NULL};
static const char *const action_types[] = {"BLOCK", "PERMIT", "CALLOUT_TERMINATING",
    "CALLOUT_INSPECTION", "CALLOUT_UNKNOWN", "CONTINUE", "NONE", "NONE_NO_MATCH", NULL};
static const char *const schema_values[] = {WFPW_PROTO_SCHEMA, NULL};

/* An action type a later Windows adds, kept by its number: "ACTION_0x" and 1..8 lower-case hex
 * digits (the agent keeps such a filter rather than failing the inventory). */
static int action_by_number(const char *s)
{
    size_t n;
    if (strncmp(s, "ACTION_0x", 9) != 0)
        return 0;
    s += 9;
    n = strspn(s, "0123456789abcdef");
    return n >= 1 && n <= 8 && s[n] == '\0';
}

static const struct vfield agent_fields[] = {
    {"id", V_STRING, F_REQ, NULL, 1, 256},
    {"hostname", V_STRING, F_REQ, NULL, 1, 256},
    {"version", V_STRING, F_REQ, NULL, 1, 64},
    {"os", V_ENUM, F_REQ, os_values, 0, 0},
};
static const struct vobj agent_obj = OBJ(agent_fields);

static const struct vfield ref_fields[] = {
    {"key", V_GUID, F_REQ | F_NULL, NULL, 0, 0},
    {"name", V_STRING, F_REQ | F_NULL, NULL, 0, 4096},
};
static const struct vobj ref_obj = OBJ(ref_fields);

static const struct vfield endpoint_fields[] = {
    {"ip", V_IP, F_REQ, NULL, 0, 0},
    {"port", V_UINT, F_REQ, NULL, 0, 65535},
};
static const struct vobj endpoint_obj = OBJ(endpoint_fields);

static const struct vfield process_fields[] = {
    {"pid", V_UINT, F_REQ | F_NULL, NULL, 0, 0xFFFFFFFFu},
    {"path", V_PATH, F_REQ | F_NULL, NULL, 0, 0},
};
static const struct vobj process_obj = OBJ(process_fields);

static const struct vfield filter_ref_fields[] = {
    {"id", V_UINT, F_REQ, NULL, 0, SAFE},
    {"key", V_GUID, F_NULL, NULL, 0, 0},
    {"name", V_STRING, F_NULL, NULL, 0, 4096},
    {"provider", V_OBJECT, F_NULL, &ref_obj, 0, 0},
};
static const struct vobj filter_ref_obj = OBJ(filter_ref_fields);

static const struct vfield origin_fields[] = {
    {"event_id", V_UINT, F_REQ, NULL, 0, 65535},
    {"record_id", V_UINT, F_REQ, NULL, 0, SAFE},
};
static const struct vobj origin_obj = OBJ(origin_fields);

static const struct vfield weight_fields[] = {
    {"type", V_ENUM, F_REQ, weight_types, 0, 0},
    {"value", V_DECIMAL, F_REQ | F_NULL, NULL, 0, 0},
};
static const struct vobj weight_obj = OBJ(weight_fields);

static const struct vfield action_fields[] = {
    {"type", V_ENUM, F_REQ, action_types, 0, 0},
    {"callout_key", V_GUID, F_REQ | F_NULL, NULL, 0, 0},
};
static const struct vobj action_obj = OBJ(action_fields);

static const struct vfield condition_fields[] = {
    {"field", V_STRING, F_REQ, NULL, 1, 256},
    {"match", V_STRING, F_REQ, NULL, 1, 64},
    {"type", V_STRING, 0, NULL, 1, 64},
    {"value", V_PATH, F_REQ | F_NULL, NULL, 0, 0},
};
static const struct vobj condition_obj = OBJ(condition_fields);
static const struct varr conditions_arr = {V_OBJECT, &condition_obj, 0, 0, 0, 256};
static const struct varr flags_arr = {V_STRING, NULL, 1, 64, 0, 64};
static const struct varr names_arr = {V_STRING, NULL, 1, 64, 0, 64};

static const struct vfield filter_fields[] = {
    {"key", V_GUID, F_REQ, NULL, 0, 0},
    {"id", V_UINT, F_REQ, NULL, 0, SAFE},
    {"name", V_STRING, F_REQ, NULL, 0, 4096},
    {"description", V_STRING, F_REQ | F_NULL, NULL, 0, 4096},
    {"provider", V_OBJECT, F_REQ | F_NULL, &ref_obj, 0, 0},
    {"layer", V_OBJECT, F_REQ, &ref_obj, 0, 0},
    {"sublayer", V_OBJECT, F_REQ, &ref_obj, 0, 0},
    {"weight", V_OBJECT, F_REQ, &weight_obj, 0, 0},
    {"effective_weight", V_DECIMAL, F_NULL, NULL, 0, 0},
    {"flags", V_ARRAY, F_REQ, &flags_arr, 0, 0},
    {"action", V_OBJECT, F_REQ, &action_obj, 0, 0},
    {"conditions", V_ARRAY, F_REQ, &conditions_arr, 0, 0},
};
static const struct vobj filter_obj = OBJ(filter_fields);

static const struct vfield common_fields[] = {
    {"seq", V_UINT, F_REQ, NULL, 0, SAFE},
    {"type", V_STRING, F_REQ, NULL, 1, 64},
    {"time", V_TIME, F_REQ, NULL, 0, 0},
    {"source", V_ENUM, F_REQ, source_values, 0, 0},
};
static const struct vobj common_obj = OBJ(common_fields);

static const struct vfield blocked_fields[] = {
    {"direction", V_ENUM, F_REQ, direction_values, 0, 0},
    {"protocol", V_UINT, F_REQ | F_NULL, NULL, 0, 255},
    {"local", V_OBJECT, F_REQ | F_NULL, &endpoint_obj, 0, 0},
    {"remote", V_OBJECT, F_REQ | F_NULL, &endpoint_obj, 0, 0},
    {"process", V_OBJECT, F_REQ, &process_obj, 0, 0},
    {"layer", V_STRING, F_REQ | F_NULL, NULL, 1, 128},
    {"filter", V_OBJECT, F_REQ, &filter_ref_obj, 0, 0},
    {"verdict", V_ENUM, F_REQ, verdict_values, 0, 0},
    {"count", V_UINT, F_REQ, NULL, 1, SAFE},
    {"first_seen", V_TIME, F_REQ, NULL, 0, 0},
    {"last_seen", V_TIME, F_REQ, NULL, 0, 0},
    {"origin", V_OBJECT, F_NULL, &origin_obj, 0, 0},
};
/* who changed a WFP object, from the Security event that reported it (5447 filter, 5441 filter
 * present when the engine started, 5446 callout, 5448 provider, 5450 sublayer); `change` is
 * optional (older agents send none: an add or a delete, as the event kind says) */
static const char *const change_values[] = {"add", "delete", "present_at_start", NULL};
static const char *const object_values[] = {"filter", "callout", "provider", "sublayer", NULL};
/* the program behind process_id, resolved by the agent when it read the change (optional;
 * added in agent 0.9 — older agents send none): from the running process, from the process
 * creation event (4688) when it had exited, or unresolved with the reason in note */
static const char *const resolved_from_values[] = {"running_process", "process_creation_event", "unresolved", NULL};
static const struct vfield parent_fields[] = {
    {"process_id", V_UINT, F_REQ | F_NULL, NULL, 0, 0xFFFFFFFFu},
    {"image", V_STRING, F_REQ | F_NULL, NULL, 1, 8192},
};
static const struct vobj parent_obj = OBJ(parent_fields);
static const struct vfield changed_by_process_fields[] = {
    {"resolved_from", V_ENUM, F_REQ, resolved_from_values, 0, 0},
    {"image", V_STRING, F_REQ | F_NULL, NULL, 1, 8192},
    {"command_line", V_STRING, F_REQ | F_NULL, NULL, 1, 8192},
    {"user_sid", V_STRING, F_REQ | F_NULL, NULL, 1, 256},
    {"user", V_STRING, F_REQ | F_NULL, NULL, 1, 4096},
    {"start_time", V_TIME, F_REQ | F_NULL, NULL, 0, 0},
    {"parent", V_OBJECT, F_REQ | F_NULL, &parent_obj, 0, 0},
    {"record_id", V_UINT, 0, NULL, 1, SAFE},
    {"note", V_STRING, 0, NULL, 1, 4096},
};
static const struct vobj changed_by_process_obj = OBJ(changed_by_process_fields);
/* the registry value whose change (Security event 4657) names who changed a surface item
 * (optional; agent 0.9 and later, on surface_changed and surface alerts) */
static const char *const registry_op_values[] = {"created", "modified", "deleted", NULL};
static const struct vfield registry_change_fields[] = {
    {"key", V_STRING, F_REQ, NULL, 1, 4096},
    {"value", V_STRING, F_REQ | F_NULL, NULL, 0, 16384},
    {"operation", V_ENUM, F_REQ | F_NULL, registry_op_values, 0, 0},
};
static const struct vobj registry_change_obj = OBJ(registry_change_fields);
static const struct vfield changed_by_fields[] = {
    {"process_id", V_UINT, F_REQ | F_NULL, NULL, 0, 0xFFFFFFFFu},
    {"user_sid", V_STRING, F_REQ | F_NULL, NULL, 1, 256},
    {"user", V_STRING, F_REQ | F_NULL, NULL, 0, 4096},
    {"origin", V_OBJECT, F_REQ, &origin_obj, 0, 0},
    {"change", V_ENUM, 0, change_values, 0, 0},
    {"process", V_OBJECT, 0, &changed_by_process_obj, 0, 0},
    {"registry", V_OBJECT, 0, &registry_change_obj, 0, 0},
};
static const struct vobj changed_by_obj = OBJ(changed_by_fields);
/* the Windows Firewall rule a filter of the firewall service (MPSSVC) was made from, and who
 * changed that rule, from the firewall's own log (optional; agent 0.9 and later) */
static const char *const fw_change_values[] = {"added", "modified", "deleted", NULL};
static const char *const fw_direction_values[] = {"inbound", "outbound", NULL};
static const char *const fw_action_values[] = {"block", "allow", NULL};
static const struct vfield fw_changed_by_fields[] = {
    {"user_sid", V_STRING, F_REQ | F_NULL, NULL, 1, 256},
    {"application", V_STRING, F_REQ | F_NULL, NULL, 1, 8192},
    {"origin", V_OBJECT, F_REQ, &origin_obj, 0, 0},
};
static const struct vobj fw_changed_by_obj = OBJ(fw_changed_by_fields);
static const struct vfield firewall_rule_fields[] = {
    {"change", V_ENUM, F_REQ, fw_change_values, 0, 0},
    {"id", V_STRING, F_REQ | F_NULL, NULL, 1, 128},
    {"name", V_STRING, F_REQ, NULL, 1, 4096},
    {"group", V_STRING, F_REQ | F_NULL, NULL, 1, 4096},
    {"application", V_STRING, F_REQ | F_NULL, NULL, 1, 8192},
    {"service", V_STRING, F_REQ | F_NULL, NULL, 1, 4096},
    {"direction", V_ENUM, F_REQ | F_NULL, fw_direction_values, 0, 0},
    {"action", V_ENUM, F_REQ | F_NULL, fw_action_values, 0, 0},
    {"changed_by", V_OBJECT, F_REQ, &fw_changed_by_obj, 0, 0},
};
static const struct vobj firewall_rule_obj = OBJ(firewall_rule_fields);
/* who added or deleted the provider, sublayer or callout a filter uses */
static const struct vfield related_change_fields[] = {
    {"object", V_ENUM, F_REQ, object_values, 0, 0},
    {"key", V_STRING, F_REQ, NULL, 1, 128},
    {"name", V_STRING, F_REQ | F_NULL, NULL, 0, 4096},
    {"change", V_ENUM, F_REQ, change_values, 0, 0},
    {"changed_by", V_OBJECT, F_REQ, &changed_by_obj, 0, 0},
};
static const struct vobj related_change_obj = OBJ(related_change_fields);
static const struct varr related_changes_arr = {V_OBJECT, &related_change_obj, 0, 0, 1, 8};
static const struct vfield filter_event_fields[] = {
    {"filter", V_OBJECT, F_REQ, &filter_obj, 0, 0},
    {"change_set", V_UUID, 0, NULL, 0, 0},
    {"changed_by", V_OBJECT, 0, &changed_by_obj, 0, 0},
    {"firewall_rule", V_OBJECT, 0, &firewall_rule_obj, 0, 0},
    {"related_changes", V_ARRAY, 0, &related_changes_arr, 0, 0},
};
static const struct vfield filter_changed_fields[] = {
    {"filter", V_OBJECT, F_REQ, &filter_obj, 0, 0},
    {"previous", V_OBJECT, F_REQ, &filter_obj, 0, 0},
    {"changed", V_ARRAY, 0, &names_arr, 0, 0},
    {"change_set", V_UUID, 0, NULL, 0, 0},
    {"changed_by", V_OBJECT, 0, &changed_by_obj, 0, 0},
    {"firewall_rule", V_OBJECT, 0, &firewall_rule_obj, 0, 0},
    {"related_changes", V_ARRAY, 0, &related_changes_arr, 0, 0},
};
static const struct vfield inventory_changed_fields[] = {
    {"added", V_UINT, F_REQ, NULL, 0, SAFE},
    {"removed", V_UINT, F_REQ, NULL, 0, SAFE},
    {"changed", V_UINT, F_REQ, NULL, 0, SAFE},
    {"change_set", V_UUID, F_REQ, NULL, 0, 0},
    {"baseline", V_BOOL, F_REQ, NULL, 0, 0},
};
/* the silencing surface beyond WFP (v1 extension, issue #20): an NRPT rule, a hosts entry, a
 * proxy, a QoS policy, a persistent route, the hosts file's location, or a registry key no rule
 * reads; values as the registry holds them (data shown as `reg export` writes it) */
static const char *const surface_kind_values[] = {"nrpt", "hosts", "hosts-path", "proxy", "qos", "route", "other", NULL};
static const char *const surface_change_values[] = {"added", "removed", "changed", NULL};
static const struct vfield surface_value_fields[] = {
    {"name", V_STRING, F_REQ, NULL, 0, 4096},
    {"type", V_UINT, F_REQ, NULL, 0, 0xFFFFFFFFu},
    {"data", V_STRING, F_REQ, NULL, 0, 4096},
};
static const struct vobj surface_value_obj = OBJ(surface_value_fields);
static const struct varr surface_values_arr = {V_OBJECT, &surface_value_obj, 0, 0, 0, 256};
static const struct vfield surface_item_fields[] = {
    {"kind", V_ENUM, F_REQ, surface_kind_values, 0, 0},
    {"id", V_STRING, F_REQ, NULL, 1, 512},
    {"summary", V_STRING, F_REQ, NULL, 1, 4096},
    {"key", V_STRING, F_REQ | F_NULL, NULL, 1, 4096},
    {"values", V_ARRAY, F_REQ, &surface_values_arr, 0, 0},
};
static const struct vobj surface_item_obj = OBJ(surface_item_fields);
static const struct vfield surface_changed_fields[] = {
    {"change", V_ENUM, F_REQ, surface_change_values, 0, 0},
    {"item", V_OBJECT, F_REQ, &surface_item_obj, 0, 0},
    {"previous", V_OBJECT, 0, &surface_item_obj, 0, 0},
    {"change_set", V_UUID, F_REQ, NULL, 0, 0},
    {"baseline", V_BOOL, F_REQ, NULL, 0, 0},
    {"changed_by", V_OBJECT, 0, &changed_by_obj, 0, 0},
};
static const struct vfield target_fields[] = {
    {"process", V_PATH, F_REQ | F_NULL, NULL, 0, 0},
};
static const struct vobj target_obj = OBJ(target_fields);
static const struct vfield alert_fields[] = {
    {"rule", V_STRING, F_REQ, NULL, 1, 128},
    {"severity", V_ENUM, F_REQ, severity_values, 0, 0},
    {"title", V_STRING, F_REQ, NULL, 1, 4096},
    {"details", V_STRING, F_REQ, NULL, 0, 4096},
    {"filter", V_OBJECT, F_REQ | F_NULL, &filter_obj, 0, 0},
    {"target", V_OBJECT, F_REQ, &target_obj, 0, 0},
    {"preexisting", V_BOOL, F_REQ, NULL, 0, 0},
    {"changed_by", V_OBJECT, 0, &changed_by_obj, 0, 0},
    {"firewall_rule", V_OBJECT, 0, &firewall_rule_obj, 0, 0},
    {"related_changes", V_ARRAY, 0, &related_changes_arr, 0, 0},
};
static const struct vfield stats_fields[] = {
    {"events_by_source", V_UINTMAP, 0, NULL, 0, 0},
    {"dropped", V_UINTMAP, 0, NULL, 0, 0},
    {"spool_bytes", V_UINT, 0, NULL, 0, SAFE},
    {"last_error", V_STRING, F_NULL, NULL, 0, 4096},
};
static const struct vobj stats_obj = OBJ(stats_fields);
static const struct vfield heartbeat_fields[] = {
    {"stats", V_OBJECT, F_REQ, &stats_obj, 0, 0},
};
static const struct vfield status_fields[] = {
    {"state", V_ENUM, F_REQ, state_values, 0, 0},
    {"message", V_STRING, F_REQ, NULL, 0, 4096},
};

static const struct {
    const char *type;
    struct vobj spec;
} event_types[] = {
    {"connection_blocked", OBJ(blocked_fields)},
    {"filter_added", OBJ(filter_event_fields)},
    {"filter_removed", OBJ(filter_event_fields)},
    {"filter_changed", OBJ(filter_changed_fields)},
    {"alert", OBJ(alert_fields)},
    {"heartbeat", OBJ(heartbeat_fields)},
    {"agent_status", OBJ(status_fields)},
    {"inventory_changed", OBJ(inventory_changed_fields)},
    {"surface_changed", OBJ(surface_changed_fields)},
};

static const struct vfield batch_fields[] = {
    {"schema", V_ENUM, F_REQ, schema_values, 0, 0},
    {"batch_id", V_UUID, F_REQ, NULL, 0, 0},
    {"sent_at", V_TIME, F_REQ, NULL, 0, 0},
    {"agent", V_OBJECT, F_REQ, &agent_obj, 0, 0},
    /* "events" is checked by check_events (per-type dispatch) */
};
static const struct vobj batch_obj = OBJ(batch_fields);

/* ---- walker -------------------------------------------------------------------------------- */

struct vctx {
    struct wfpw_jpath path;
    struct wfpw_proto_err *err;
};

static int fail(struct vctx *c, const char *fmt, ...) WFPW_PRINTF(2, 3);

static int fail(struct vctx *c, const char *fmt, ...)
{
    va_list ap;
    if (c->err) {
        snprintf(c->err->field, sizeof(c->err->field), "%s", c->path.buf);
        va_start(ap, fmt);
        vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
        va_end(ap);
    }
    return WFPW_EPROTO;
}

static const char *type_name(const cJSON *n)
{
    switch (n->type & 0xFF) {
    case cJSON_NULL: return "null";
    case cJSON_False:
    case cJSON_True: return "boolean";
    case cJSON_Number: return "number";
    case cJSON_String: return "string";
    case cJSON_Array: return "array";
    case cJSON_Object: return "object";
    default: return "invalid";
    }
}

/* Generic limits for values this version does not know: strings <= 4096 bytes. */
static int check_unknown(const cJSON *n, struct vctx *c)
{
    const cJSON *k;
    size_t i = 0, saved;
    int rc;
    if (cJSON_IsString(n)) {
        if (strlen(n->valuestring) > WFPW_PROTO_MAX_STRING)
            return fail(c, "string longer than %d bytes", WFPW_PROTO_MAX_STRING);
        return 0;
    }
    for (k = n->child; k; k = k->next, i++) {
        if (k->string && strlen(k->string) > WFPW_PROTO_MAX_STRING)
            return fail(c, "member name longer than %d bytes", WFPW_PROTO_MAX_STRING);
        saved = k->string ? wfpw_jpath_key(&c->path, k->string) : wfpw_jpath_index(&c->path, i);
        rc = check_unknown(k, c);
        wfpw_jpath_pop(&c->path, saved);
        if (rc)
            return rc;
    }
    return 0;
}

static int is_hex_lower(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

/* 8-4-4-4-12 lower-case hex starting at s. */
static int uuid_body(const char *s)
{
    int i;
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!is_hex_lower(s[i]))
            return 0;
    }
    return 1;
}

int wfpw_uuid_valid(const char *s)
{
    return s && strlen(s) == WFPW_UUID_LEN && uuid_body(s);
}

int wfpw_guid_valid(const char *s)
{
    return s && strlen(s) == WFPW_GUID_LEN && s[0] == '{' && s[37] == '}' && uuid_body(s + 1);
}

static int decimal_u64(const char *s)
{
    static const char max[] = "18446744073709551615";
    size_t n = strlen(s), i;
    if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
        return 0;
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n < 20 || strcmp(s, max) <= 0;
}

static int check_object(const cJSON *obj, const struct vobj *spec, struct vctx *c);
static int check_value(const cJSON *v, enum vkind kind, const void *ref, uint64_t lo, uint64_t hi,
                       struct vctx *c);

static int check_array(const cJSON *v, const struct varr *a, struct vctx *c)
{
    const cJSON *e;
    size_t n = 0, saved;
    int rc;
    if (!cJSON_IsArray(v))
        return fail(c, "expected an array, got %s", type_name(v));
    for (e = v->child; e; e = e->next) {
        if (n >= a->max)
            return fail(c, "more than %zu elements", a->max);
        saved = wfpw_jpath_index(&c->path, n);
        rc = check_value(e, a->kind, a->ref, a->lo, a->hi, c);
        wfpw_jpath_pop(&c->path, saved);
        if (rc)
            return rc;
        n++;
    }
    if (n < a->min)
        return fail(c, "fewer than %zu elements", a->min);
    return 0;
}

static int check_value(const cJSON *v, enum vkind kind, const void *ref, uint64_t lo, uint64_t hi,
                       struct vctx *c)
{
    uint64_t u;
    int64_t ms;
    size_t len;
    unsigned char addr[16];
    const cJSON *k;

    switch (kind) {
    case V_STRING:
    case V_PATH: {
        size_t max = kind == V_PATH ? WFPW_PROTO_MAX_PATH : (hi ? hi : WFPW_PROTO_MAX_STRING);
        if (!cJSON_IsString(v))
            return fail(c, "expected a string, got %s", type_name(v));
        len = strlen(v->valuestring);
        if (len > max)
            return fail(c, "string longer than %zu bytes", max);
        if (len < lo)
            return fail(c, "string must not be empty");
        return 0;
    }
    case V_UINT:
        if (wfpw_json_uint(v, lo, hi, &u) != 0) {
            if (!cJSON_IsNumber(v))
                return fail(c, "expected an integer, got %s", type_name(v));
            return fail(c, "expected an integer from %llu to %llu", (unsigned long long)lo,
                        (unsigned long long)hi);
        }
        return 0;
    case V_BOOL:
        return cJSON_IsBool(v) ? 0 : fail(c, "expected a boolean, got %s", type_name(v));
    case V_TIME:
        if (!cJSON_IsString(v))
            return fail(c, "expected a time string, got %s", type_name(v));
        if (wfpw_time_parse_ms(v->valuestring, &ms) != 0)
            return fail(c, "expected UTC time YYYY-MM-DDTHH:MM:SS.mmmZ");
        return 0;
    case V_GUID:
        if (!cJSON_IsString(v) || !wfpw_guid_valid(v->valuestring))
            return fail(c, "expected a GUID {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx} in lower case");
        return 0;
    case V_UUID:
        if (!cJSON_IsString(v) || !wfpw_uuid_valid(v->valuestring))
            return fail(c, "expected a UUID xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx in lower case");
        return 0;
    case V_IP:
        if (!cJSON_IsString(v))
            return fail(c, "expected an IP address string, got %s", type_name(v));
        if (uv_inet_pton(AF_INET, v->valuestring, addr) != 0 &&
            uv_inet_pton(AF_INET6, v->valuestring, addr) != 0)
            return fail(c, "not an IPv4 or IPv6 address");
        return 0;
    case V_DECIMAL:
        if (!cJSON_IsString(v) || !decimal_u64(v->valuestring))
            return fail(c, "expected a decimal string 0..18446744073709551615");
        return 0;
    case V_ENUM: {
        const char *const *e = ref;
        char allowed[200];
        size_t used = 0;
        if (cJSON_IsString(v))
            for (; *e; e++)
                if (strcmp(*e, v->valuestring) == 0)
                    return 0;
        if (ref == (const void *)action_types && cJSON_IsString(v) && action_by_number(v->valuestring))
            return 0;
        allowed[0] = '\0';
        for (e = ref; *e && used < sizeof(allowed); e++)
            used += (size_t)snprintf(allowed + used, sizeof(allowed) - used, "%s%s",
                                     e == ref ? "" : "|", *e);
        return fail(c, "expected one of %s", allowed);
    }
    case V_OBJECT:
        return check_object(v, ref, c);
    case V_ARRAY:
        return check_array(v, ref, c);
    case V_UINTMAP:
        if (!cJSON_IsObject(v))
            return fail(c, "expected an object, got %s", type_name(v));
        for (k = v->child; k; k = k->next) {
            size_t saved = wfpw_jpath_key(&c->path, k->string);
            int rc = 0;
            if (strlen(k->string) > 128)
                rc = fail(c, "member name longer than 128 bytes");
            else if (wfpw_json_uint(k, 0, SAFE, &u) != 0)
                rc = fail(c, "expected a counter (integer 0..2^53-1)");
            wfpw_jpath_pop(&c->path, saved);
            if (rc)
                return rc;
        }
        return 0;
    }
    return fail(c, "internal: unknown rule");
}

static int missing(struct vctx *c, const char *name)
{
    size_t saved = wfpw_jpath_key(&c->path, name);
    int rc = fail(c, "required field is missing");
    wfpw_jpath_pop(&c->path, saved);
    return rc;
}

/* A present member by its field's rule (null only where the field allows it). */
static int check_field(const cJSON *m, const struct vfield *f, struct vctx *c)
{
    if (cJSON_IsNull(m))
        return (f->flags & F_NULL) ? 0 : fail(c, "must not be null");
    return check_value(m, f->kind, f->ref, f->lo, f->hi, c);
}

static const struct vfield *find_field(const struct vobj *spec, const char *name)
{
    size_t i;
    for (i = 0; i < spec->n; i++) /* first byte before strcmp: most names differ there */
        if (spec->fields[i].name[0] == name[0] && strcmp(spec->fields[i].name, name) == 0)
            return &spec->fields[i];
    return NULL;
}

/* Checks the members of obj against spec in one pass over the members; a member not in spec
 * but in also is checked by also's rule when check_also is set (an event's common and type
 * tables, in one walk) and left alone otherwise (the other table is walked elsewhere); any other
 * member gets the generic checks. Then required fields that were not seen are reported, in table
 * order: spec's, then also's when checked here. */
static int check_members(const cJSON *obj, const struct vobj *spec, const struct vobj *also, int check_also,
                         struct vctx *c)
{
    const cJSON *m;
    uint64_t seen = 0, seen_also = 0; /* bit i: fields[i] present (tables have < 64 fields) */
    size_t i, saved;
    int rc;

    for (m = obj->child; m; m = m->next) {
        const struct vfield *f = find_field(spec, m->string), *g = NULL;
        saved = wfpw_jpath_key(&c->path, m->string);
        if (f != NULL)
            seen |= 1ull << (size_t)(f - spec->fields);
        else if (also && (g = find_field(also, m->string)) != NULL) {
            seen_also |= 1ull << (size_t)(g - also->fields);
            if (check_also)
                f = g;
        }
        if (f != NULL) {
            rc = check_field(m, f, c);
        } else if (g != NULL) {
            rc = 0; /* the other table checks it */
        } else {
            rc = strlen(m->string) > WFPW_PROTO_MAX_STRING
                     ? fail(c, "member name longer than %d bytes", WFPW_PROTO_MAX_STRING)
                     : check_unknown(m, c);
        }
        wfpw_jpath_pop(&c->path, saved);
        if (rc)
            return rc;
    }
    for (i = 0; i < spec->n; i++)
        if ((spec->fields[i].flags & F_REQ) && !(seen & (1ull << i)))
            return missing(c, spec->fields[i].name);
    for (i = 0; check_also && i < also->n; i++)
        if ((also->fields[i].flags & F_REQ) && !(seen_also & (1ull << i)))
            return missing(c, also->fields[i].name);
    return 0;
}

static int check_object(const cJSON *obj, const struct vobj *spec, struct vctx *c)
{
    if (!cJSON_IsObject(obj))
        return fail(c, "expected an object, got %s", type_name(obj));
    return check_members(obj, spec, NULL, 0, c);
}

/* What the collector adds in front of an event's own members when it serves it (see
 * collector/src/store/: "id" is the cursor, "host" the certificate's identity). The JSON Schema
 * lists the same names (tests/proto/check_schema.py compares). Append-only. */
const char *const wfpw_proto_reserved[] = {"id", "host", "identity_mismatch", "received", NULL};

/* The table of an event's type member, or NULL (not a string, or a type this version does not
 * know). */
static const struct vobj *spec_of(const cJSON *type)
{
    size_t i;
    if (cJSON_IsString(type))
        for (i = 0; i < N(event_types); i++)
            if (strcmp(event_types[i].type, type->valuestring) == 0)
                return &event_types[i].spec;
    return NULL;
}

static int check_event(const cJSON *ev, struct vctx *c)
{
    const cJSON *m;
    const struct vobj *spec;
    size_t i, saved;
    int rc;

    if (!cJSON_IsObject(ev))
        return fail(c, "expected an event object, got %s", type_name(ev));
    for (m = ev->child; m; m = m->next)
        for (i = 0; wfpw_proto_reserved[i]; i++)
            if (m->string[0] == wfpw_proto_reserved[i][0] && strcmp(m->string, wfpw_proto_reserved[i]) == 0) {
                saved = wfpw_jpath_key(&c->path, m->string);
                rc = fail(c, "reserved: the collector adds this member to what it serves");
                wfpw_jpath_pop(&c->path, saved);
                return rc;
            }
    spec = spec_of(wfpw_json_get(ev, "type"));
    if (spec == NULL) {
        /* report missing/mistyped type through the common table, an unknown one here */
        if ((rc = check_members(ev, &common_obj, NULL, 0, c)) != 0)
            return rc;
        saved = wfpw_jpath_key(&c->path, "type");
        rc = fail(c, "unknown event type");
        wfpw_jpath_pop(&c->path, saved);
        return rc;
    }
    if ((rc = check_members(ev, &common_obj, spec, 1, c)) != 0)  /* both tables, one walk */
        return rc;
    if (spec->fields == blocked_fields) {
        int64_t first, last;
        wfpw_time_parse_ms(wfpw_json_get(ev, "first_seen")->valuestring, &first);
        wfpw_time_parse_ms(wfpw_json_get(ev, "last_seen")->valuestring, &last);
        if (last < first) {
            saved = wfpw_jpath_key(&c->path, "last_seen");
            rc = fail(c, "earlier than first_seen");
            wfpw_jpath_pop(&c->path, saved);
            return rc;
        }
    }
    return 0;
}

static int check_named(const cJSON *ev, const char *const *names, struct vctx *c)
{
    const cJSON *type = wfpw_json_get(ev, "type"), *m;
    const struct vobj *spec;
    const struct vfield *f;
    size_t saved;
    int rc = 0;

    if (!cJSON_IsObject(ev) || (spec = spec_of(type)) == NULL)
        return check_event(ev, c);  /* not an event that was validated: say why */
    for (; rc == 0 && *names; names++) {
        if ((f = find_field(spec, *names)) == NULL)
            f = find_field(&common_obj, *names);
        m = wfpw_json_get(ev, *names);
        saved = wfpw_jpath_key(&c->path, *names);
        if (f == NULL)  /* not a member of this type: the generic limits */
            rc = m ? check_unknown(m, c) : 0;
        else if (m == NULL)
            rc = (f->flags & F_REQ) ? fail(c, "required field is missing") : 0;
        else
            rc = check_field(m, f, c);
        wfpw_jpath_pop(&c->path, saved);
    }
    return rc;
}

int wfpw_event_validate_members(const cJSON *ev, const char *const *names, const char *path,
                                struct wfpw_proto_err *err)
{
    struct vctx c;
    memset(&c, 0, sizeof(c));
    c.err = err;
    if (path)
        wfpw_jpath_key(&c.path, path);
    return check_named(ev, names, &c);
}

int wfpw_filter_validate(const cJSON *filter, const char *path, struct wfpw_proto_err *err)
{
    struct vctx c;
    memset(&c, 0, sizeof(c));
    c.err = err;
    if (path)
        wfpw_jpath_key(&c.path, path);
    return check_object(filter, &filter_obj, &c);
}

int wfpw_event_validate(const cJSON *ev, const char *path, struct wfpw_proto_err *err)
{
    struct vctx c;
    int rc;
    memset(&c, 0, sizeof(c));
    c.path.off = 1; /* without paths or messages first; again with them only to word an error */
    if ((rc = check_event(ev, &c)) == 0)
        return 0;
    memset(&c, 0, sizeof(c));
    c.err = err;
    if (path)
        wfpw_jpath_key(&c.path, path);
    return check_event(ev, &c) ? WFPW_EPROTO : rc;
}

/* Validates a whole batch tree (used by wfpw_batch_decode). */
int wfpw__batch_validate(const cJSON *root, struct wfpw_proto_err *err);
static int validate_batch(const cJSON *root, struct vctx *cp)
{
    struct vctx c = *cp;
    const cJSON *events, *ev;
    size_t i = 0, saved;
    int rc;

    if (!cJSON_IsObject(root))
        return fail(&c, "expected a batch object, got %s", type_name(root));
    {
        static const struct vfield events_field[] = {{"events", V_ARRAY, F_REQ, NULL, 0, 0}};
        static const struct vobj events_obj = OBJ(events_field);
        if ((rc = check_members(root, &batch_obj, &events_obj, 0, &c)) != 0)
            return rc;
    }
    saved = wfpw_jpath_key(&c.path, "events");
    events = wfpw_json_get(root, "events");
    if (events == NULL)
        rc = fail(&c, "required field is missing");
    else if (!cJSON_IsArray(events))
        rc = fail(&c, "expected an array, got %s", type_name(events));
    else if (events->child == NULL)
        rc = fail(&c, "a batch carries at least one event");
    else
        rc = 0;
    for (ev = events ? events->child : NULL; rc == 0 && ev; ev = ev->next, i++) {
        size_t s2;
        if (i >= WFPW_PROTO_MAX_EVENTS) {
            rc = fail(&c, "more than %d events", WFPW_PROTO_MAX_EVENTS);
            break;
        }
        s2 = wfpw_jpath_index(&c.path, i);
        rc = check_event(ev, &c);
        wfpw_jpath_pop(&c.path, s2);
    }
    wfpw_jpath_pop(&c.path, saved);
    return rc;
}

int wfpw__batch_validate(const cJSON *root, struct wfpw_proto_err *err)
{
    struct vctx c;
    int rc;
    memset(&c, 0, sizeof(c));
    c.err = err;
    c.path.off = 1; /* without paths first; again with them only to word an error */
    if ((rc = validate_batch(root, &c)) != 0) {
        int again;
        memset(&c, 0, sizeof(c));
        c.err = err;
        again = validate_batch(root, &c);
        rc = again ? again : rc;
    }
    return rc;
}
