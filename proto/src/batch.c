/*
 * batch.c — proto v1 batches: build + encode on the agent, decode + validate on the
 * collector (see proto.h). A batch is a cJSON tree {schema, batch_id, sent_at, agent,
 * events}; decoding keeps the parsed tree as is, so unknown members survive re-encoding. A
 * decoded batch's tree lives in an arena of its own (no allocator call per value, one release
 * in whichever thread drops the batch) and is read-only.
 */
#include <stdio.h>
#include <string.h>

#include "wfpw/arena.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"
#include "wfpw/timefmt.h"

int wfpw__batch_validate(const cJSON *root, struct wfpw_proto_err *err);

struct wfpw_batch {
    cJSON *root;    /* owned: the whole batch document (decoded: by arena) */
    cJSON *events;  /* borrowed from root: the events array */
    size_t count;   /* number of events */
    int decoded;    /* 1: root lives in arena (wfpw_json_parse_arena) and is read-only */
    struct wfpw_arena arena; /* owned: a decoded batch's tree */
};

struct wfpw_batch *wfpw_batch_new(const struct wfpw_agent_ident *agent, const char *batch_id,
                                  int64_t sent_at_ms)
{
    struct wfpw_batch *b;
    cJSON *a;
    char t[WFPW_TIME_LEN + 1];
    int ok = 1;

    wfpw_json_init();
    if (wfpw_time_format_ms(sent_at_ms, t) != 0 || !batch_id || !agent)
        return NULL;
    b = wfpw_calloc(1, sizeof(*b));
    if (b == NULL)
        return NULL;
    b->root = cJSON_CreateObject();
    ok = b->root && cJSON_AddStringToObject(b->root, "schema", WFPW_PROTO_SCHEMA) &&
         cJSON_AddStringToObject(b->root, "batch_id", batch_id) &&
         cJSON_AddStringToObject(b->root, "sent_at", t) &&
         (a = cJSON_AddObjectToObject(b->root, "agent")) != NULL &&
         cJSON_AddStringToObject(a, "id", agent->id ? agent->id : "") &&
         cJSON_AddStringToObject(a, "hostname", agent->hostname ? agent->hostname : "") &&
         cJSON_AddStringToObject(a, "version", agent->version ? agent->version : "") &&
         cJSON_AddStringToObject(a, "os", agent->os ? agent->os : "") &&
         (b->events = cJSON_AddArrayToObject(b->root, "events")) != NULL;
    if (!ok) {
        wfpw_batch_free(b);
        return NULL;
    }
    return b;
}

int wfpw_batch_add(struct wfpw_batch *b, cJSON *ev, struct wfpw_proto_err *err)
{
    char path[32];
    int rc;
    if (b == NULL || ev == NULL || b->decoded) { /* a decoded batch is read-only */
        cJSON_Delete(ev);
        return WFPW_EINVAL;
    }
    if (b->count >= WFPW_PROTO_MAX_EVENTS) {
        cJSON_Delete(ev);
        return WFPW_ETOOBIG;
    }
    snprintf(path, sizeof(path), "events[%zu]", b->count);
    if ((rc = wfpw_event_validate(ev, path, err)) != 0) {
        cJSON_Delete(ev);
        return rc;
    }
    if (!cJSON_AddItemToArray(b->events, ev)) {
        cJSON_Delete(ev);
        return WFPW_ENOMEM;
    }
    b->count++;
    return 0;
}

size_t wfpw_batch_count(const struct wfpw_batch *b)
{
    return b->count;
}

int wfpw_batch_encode(const struct wfpw_batch *b, struct wfpw_buf *out)
{
    if (b->count == 0)
        return WFPW_EINVAL; /* an empty batch is not a valid v1 batch */
    return wfpw_json_write(b->root, out);
}

int wfpw_batch_decode(const char *data, size_t len, struct wfpw_batch **out,
                      struct wfpw_proto_err *err)
{
    struct wfpw_json_err jerr;
    struct wfpw_batch *b;
    cJSON *e;
    int rc;

    *out = NULL;
    memset(&jerr, 0, sizeof(jerr));
    b = wfpw_calloc(1, sizeof(*b));
    if (b == NULL) {
        if (err) {
            err->field[0] = '\0';
            snprintf(err->msg, sizeof(err->msg), "out of memory");
        }
        return WFPW_ENOMEM;
    }
    b->decoded = 1;
    wfpw_arena_init(&b->arena);
    rc = wfpw_json_parse_arena(data, len, WFPW_PROTO_MAX_DEPTH, WFPW_PROTO_MAX_TOKENS, &b->arena, &b->root, &jerr);
    if (rc) {
        if (err) {
            snprintf(err->field, sizeof(err->field), "%s", jerr.field);
            snprintf(err->msg, sizeof(err->msg), "%s", jerr.msg);
        }
        wfpw_batch_free(b);
        return rc == WFPW_ETOOBIG ? WFPW_EPROTO : rc;
    }
    if ((rc = wfpw__batch_validate(b->root, err)) != 0) {
        wfpw_batch_free(b);
        return rc;
    }
    b->events = cJSON_GetObjectItemCaseSensitive(b->root, "events");
    for (e = b->events->child; e; e = e->next)
        b->count++;
    *out = b;
    return 0;
}

const char *wfpw_batch_id(const struct wfpw_batch *b)
{
    return cJSON_GetObjectItemCaseSensitive(b->root, "batch_id")->valuestring;
}

void wfpw_batch_agent(const struct wfpw_batch *b, struct wfpw_agent_ident *out)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(b->root, "agent");
    out->id = cJSON_GetObjectItemCaseSensitive(a, "id")->valuestring;
    out->hostname = cJSON_GetObjectItemCaseSensitive(a, "hostname")->valuestring;
    out->version = cJSON_GetObjectItemCaseSensitive(a, "version")->valuestring;
    out->os = cJSON_GetObjectItemCaseSensitive(a, "os")->valuestring;
}

const cJSON *wfpw_batch_events(const struct wfpw_batch *b)
{
    return b->events;
}

void wfpw_batch_free(struct wfpw_batch *b)
{
    if (b == NULL)
        return;
    if (b->decoded)
        wfpw_arena_free(&b->arena); /* the tree, all at once */
    else
        cJSON_Delete(b->root);
    wfpw_free(b);
}

void wfpw_uuid_format(const uint8_t bytes[16], char *out)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t u[16];
    int i, o = 0;
    memcpy(u, bytes, 16);
    u[6] = (uint8_t)((u[6] & 0x0F) | 0x40); /* version 4 */
    u[8] = (uint8_t)((u[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[u[i] >> 4];
        out[o++] = hex[u[i] & 15];
    }
    out[o] = '\0';
}

const char *wfpw_proto_err_text(const struct wfpw_proto_err *err, char *buf, size_t len)
{
    if (err->field[0])
        snprintf(buf, len, "%s: %s", err->field, err->msg);
    else
        snprintf(buf, len, "%s", err->msg);
    return buf;
}
