/*
 * fuzz-evtxml.c — libFuzzer driver for the Security event XML reader (agent/src/evtxml):
 * any input, fed in two pieces, ends in converted events that are valid proto v1, skips with
 * a reason, or an error message naming the line. A process creation (4688) is kept in a small
 * process table and must name its process on a changed_by that is valid proto v1; a firewall
 * rule change must be found again by its name and be a valid firewall_rule; a registry value
 * change (4657) must be kept, found again by its key, and be a valid changed_by.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib.h"
#include "evtxml.h"
#include "fwrules.h"
#include "proctab.h"
#include "regwho.h"
#include "wfpw/errors.h"
#include "wfpw/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* j (taken; NULL aborts) as member of an alert must be valid proto v1 */
static void valid_in_alert(const char *source, const char *member, cJSON *j)
{
    struct wfpw_ev_alert a;
    struct wfpw_proto_err perr;
    cJSON *ev;
    memset(&a, 0, sizeof(a));
    a.seq = 1, a.time_ms = 0, a.source = source, a.rule = "edr-app-block", a.severity = "critical";
    a.title = "t", a.details = "d";
    if (j == NULL || (ev = wfpw_event_alert(&a)) == NULL)
        abort();
    cJSON_AddItemToObject(ev, member, j);
    if (wfpw_event_validate(ev, "event", &perr) != 0)
        abort();
    cJSON_Delete(ev);
}

static void check_created(const struct wfpw_proc *c)
{
    static struct wfpw_proctab *t;
    struct wfpw_proc_found *f;
    struct wfpw_changed_by cb;
    if (t == NULL && (t = wfpw_proctab_new(8)) == NULL)
        abort();
    if (wfpw_proctab_record(t, c) != 0)
        abort();
    if ((f = wfpw_proc_resolve(t, NULL, 0, c->pid, c->start_ms)) == NULL || f->from != WFPW_PROC_CREATION_EVENT)
        abort();
    memset(&cb, 0, sizeof(cb));
    cb.pid = c->pid, cb.event_id = 5447, cb.record_id = 1, cb.change = WFPW_CHANGE_ADD, cb.proc = f;
    valid_in_alert("audit", "changed_by", wfpw_changed_by_json(&cb));
    wfpw_proc_found_free(f);
}

/* a firewall rule change: kept, found by its name, valid on the wire inside an alert */
static void check_fwrule(const struct wfpw_fwrule_change *c)
{
    static struct wfpw_fwrules *t;
    const struct wfpw_fwrule_change *r;
    int rc;
    if (t == NULL && (t = wfpw_fwrules_new(4)) == NULL)
        abort();
    rc = wfpw_fwrules_record(t, c);
    if (rc == WFPW_EINVAL || strlen(c->rule_name) > 4096)
        return; /* a name that is not UTF-8, or one kept cut (found by its cut form only) */
    if (rc != 0 || (r = wfpw_fwrules_find(t, c->rule_name, c->kind != WFPW_FWRULE_DELETED)) == NULL)
        abort();
    valid_in_alert("inventory", "firewall_rule", wfpw_fwrule_json(r));
}

/* identity: the key as kept (case and ControlSet are compared by the surface's own form) */
static void same(const char *key, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s", key);
}

/* a registry value change: kept (unless its key is not UTF-8), found again by its key, valid
 * on the wire inside an alert */
static void check_regchange(struct wfpw_regchange *c)
{
    static struct wfpw_regwho *t;
    const struct wfpw_regchange *r;
    char key[4200];
    int rc;
    if (t == NULL && (t = wfpw_regwho_new(4)) == NULL)
        abort();
    rc = wfpw_regwho_record(t, c);
    if (rc == WFPW_EINVAL)
        return;
    wfpw_regwho_key(c->key, key, sizeof(key));
    if (rc != 0 || strlen(key) > 4096)
        return; /* kept cut: found by its cut form only */
    if ((r = wfpw_regwho_find(t, same, key, NULL, c->time_ms)) == NULL)
        abort();
    valid_in_alert("surface", "changed_by", wfpw_regchange_json(r));
}

static int check(void *ctx, struct wfpw_evtxml_event *e)
{
    struct wfpw_proto_err perr;
    (void)ctx;
    if (e->created)
        check_created(e->created);
    if (e->fwrule)
        check_fwrule(e->fwrule);
    if (e->regchange)
        check_regchange(e->regchange);
    if (e->ev == NULL) {
        if (e->reason == NULL)
            abort();
        return 0;
    }
    if (wfpw_event_validate(e->ev, "event", &perr) != 0)
        abort();
    cJSON_Delete(e->ev);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wfpw_evtxml *p = wfpw_evtxml_new(NULL, check, NULL);
    char err[256] = "";
    size_t cut = size ? data[0] % (size + 1) : 0;
    int rc;
    if (p == NULL)
        abort();
    rc = wfpw_evtxml_feed(p, (const char *)data, cut, 0, err, sizeof(err));
    if (rc == 0)
        rc = wfpw_evtxml_feed(p, (const char *)data + cut, size - cut, 1, err, sizeof(err));
    if (rc != 0 && err[0] == '\0')
        abort();
    wfpw_evtxml_free(p);
    return 0;
}
