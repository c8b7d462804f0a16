/*
 * batches.c — POST /api/v1/batches: an agent's batch, from its body to the store.
 *
 * The route runs only for a verified client certificate (routes.c refused everything else at
 * the end of the headers, before the body was read). Then:
 *   1. one batch per certificate at a time, and at most max_batches_in_flight in all (429 with
 *      Retry-After beyond: an agent retries, nothing is lost);
 *   2. on a libuv worker thread, off the loop: gunzip (bounded by max_body_bytes), strict
 *      decode and validation (proto: a token bound before any tree is built, depth, UTF-8,
 *      duplicate and reserved member names), and the canonical encoding of every event — the
 *      bytes that are stored and served are the collector's, never the agent's;
 *   3. an ingest store job (group commit); the answer after the commit.
 * The certificate is the identity (CN: the agent id, stored as `host`); what the batch says of
 * itself (agent.id, agent.hostname) is compared and flagged, never trusted.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "api/enroll.h"
#include "api/routes.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "store/storeq.h"
#include "wfpw/errors.h"
#include "wfpw/log.h"
#include "wfpw/mem.h"
#include "wfpw/proto.h"

/* Bodies up to this size are decoded on the loop thread: bounded by the size (a 16 KiB body
 * decodes and re-encodes in well under a millisecond), and cheaper than the round trip through
 * the threadpool, which dominated small batches. Larger and gzip bodies go to the threadpool. */
#define INLINE_DECODE_MAX (16u * 1024)

struct batch_job {
    uv_work_t work;
    struct wfpw_sjob job;
    struct wfpw_ingest in;
    int slot;                      /* in-flight slot held */
    /* request, copied */
    char host[128], ou[80], serial[80], addr[64];
    int gzip;
    char *body;                    /* owned: the body as sent */
    size_t body_len;
    /* decode results (worker thread) */
    int rc, status;
    struct wfpw_proto_err perr;
    struct wfpw_batch *batch;      /* owned */
    struct wfpw_buf json;          /* every event's canonical encoding, back to back */
    const char **ev_json;          /* owned arrays of n */
    size_t *ev_len;
    struct wfpw_conn_ref *ref;     /* held */
};

static struct {
    struct wfpw_api_cfg cfg;
    char (*inflight)[128];         /* CN per slot, "" = free; owned */
    int nslots, used;
} B;

void wfpw__api_batches_init(const struct wfpw_api_cfg *cfg)
{
    B.cfg = *cfg;
    wfpw_free(B.inflight);
    B.nslots = cfg->max_batches_in_flight > 0 ? cfg->max_batches_in_flight : 64;
    B.inflight = wfpw_calloc((size_t)B.nslots, sizeof(*B.inflight));
    B.used = 0;
}

/* A slot for cn: >= 0, -1 when cn has a batch in flight, -2 when every slot is taken. */
static int take_slot(const char *cn)
{
    int i, free_slot = -2;
    if (B.inflight == NULL)
        return -2;
    for (i = 0; i < B.nslots; i++) {
        if (B.inflight[i][0] == '\0') {
            if (free_slot < 0)
                free_slot = i;
        } else if (strcmp(B.inflight[i], cn) == 0) {
            return -1;
        }
    }
    if (free_slot >= 0) {
        snprintf(B.inflight[free_slot], sizeof(B.inflight[0]), "%s", cn);
        B.used++;
    }
    return free_slot;
}

static void job_free(struct batch_job *bj)
{
    if (bj->slot >= 0 && B.inflight) {
        B.inflight[bj->slot][0] = '\0';
        B.used--;
    }
    if (bj->ref)
        wfpw_conn_ref_release(bj->ref);
    wfpw_free(bj->body);
    wfpw_batch_free(bj->batch);
    wfpw_buf_free(&bj->json);
    wfpw_free(bj->ev_json);
    wfpw_free(bj->ev_len);
    wfpw_free(bj);
}

/* ---- on a worker thread ------------------------------------------------------------------------ */

/* gzip body -> out, at most max bytes: a larger result is WFPW_ETOOBIG (gzip bomb guard). */
static int gunzip(const char *in, size_t inlen, size_t max, struct wfpw_buf *out)
{
    z_stream zs;
    char chunk[65536];
    int zrc;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return WFPW_ENOMEM;
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)inlen;
    do {
        zs.next_out = (Bytef *)chunk;
        zs.avail_out = sizeof(chunk);
        zrc = inflate(&zs, Z_NO_FLUSH);
        if (zrc != Z_OK && zrc != Z_STREAM_END) {
            inflateEnd(&zs);
            return WFPW_ESYNTAX;
        }
        if (out->len + (sizeof(chunk) - zs.avail_out) > max) {
            inflateEnd(&zs);
            return WFPW_ETOOBIG;
        }
        wfpw_buf_append(out, chunk, sizeof(chunk) - zs.avail_out);
        if (zrc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) { /* truncated stream */
            inflateEnd(&zs);
            return WFPW_ESYNTAX;
        }
    } while (zrc != Z_STREAM_END);
    zrc = zs.avail_in == 0 ? 0 : WFPW_ESYNTAX; /* nothing may follow the gzip member */
    inflateEnd(&zs);
    return out->err ? out->err : zrc;
}

static void fail(struct batch_job *bj, int status, const char *msg)
{
    bj->status = status;
    bj->perr.field[0] = '\0';
    snprintf(bj->perr.msg, sizeof(bj->perr.msg), "%s", msg);
}

/* Each event encoded by the collector's canonical writer (no whitespace, escapes for every
 * control character): one NDJSON line each, whatever the agent put between its tokens. */
static int encode_events(struct batch_job *bj)
{
    const cJSON *ev;
    size_t n = wfpw_batch_count(bj->batch), i = 0, *start;
    int rc;
    wfpw_buf_init(&bj->json, (size_t)-1 / 2);
    bj->ev_json = wfpw_calloc(n, sizeof(*bj->ev_json));
    bj->ev_len = wfpw_calloc(n, sizeof(*bj->ev_len));
    start = wfpw_calloc(n, sizeof(*start));
    if (bj->ev_json == NULL || bj->ev_len == NULL || start == NULL) {
        wfpw_free(start);
        return WFPW_ENOMEM;
    }
    for (ev = wfpw_batch_events(bj->batch)->child; ev; ev = ev->next, i++) {
        start[i] = bj->json.len;
        wfpw_json_write(ev, &bj->json);
        bj->ev_len[i] = bj->json.len - start[i];
    }
    rc = bj->json.err;
    for (i = 0; rc == 0 && i < n; i++)
        bj->ev_json[i] = bj->json.data + start[i]; /* the buffer no longer moves */
    wfpw_free(start);
    return rc;
}

static void decode_work(uv_work_t *w)
{
    struct batch_job *bj = w->data;
    struct wfpw_buf plain;
    const char *body = bj->body ? bj->body : "";
    size_t len = bj->body_len;
    int rc;

    wfpw_buf_init(&plain, B.cfg.max_body_bytes);
    if (bj->gzip) {
        rc = gunzip(body, len, B.cfg.max_body_bytes, &plain);
        if (rc == WFPW_ETOOBIG) {
            wfpw_buf_free(&plain);
            fail(bj, 413, "decompressed body exceeds the limit");
            return;
        }
        if (rc != 0) {
            wfpw_buf_free(&plain);
            fail(bj, rc == WFPW_ENOMEM ? 503 : 400, "body is not a valid gzip stream");
            return;
        }
        body = plain.data ? plain.data : "";
        len = plain.len;
    } else if (len > B.cfg.max_body_bytes) {
        fail(bj, 413, "body exceeds the limit");
        return;
    }
    rc = wfpw_batch_decode(body, len, &bj->batch, &bj->perr);
    wfpw_buf_free(&plain);
    wfpw_free(bj->body);
    bj->body = NULL;
    if (rc != 0) {
        bj->status = rc == WFPW_ENOMEM ? 503 : 400;
        return;
    }
    if (!B.cfg.store_none && (rc = encode_events(bj)) != 0)
        fail(bj, 503, "out of memory");
}

/* ---- back on the loop -------------------------------------------------------------------------- */

static void ingest_done(struct wfpw_sjob *j)
{
    struct batch_job *bj = (struct batch_job *)((char *)j - offsetof(struct batch_job, job));
    char body[128];
    wfpw_metrics.store_jobs++;
    wfpw_metrics.store_latency_us_sum += j->latency_us;
    if (bj->in.rc != 0) {
        wfpw_log_error("collector", "store", "storing batch %s from %s failed: %s", wfpw_batch_id(bj->batch), bj->host,
                       wfpw_strerror(bj->in.rc));
        wfpw_respond_error(bj->ref, 503, "the store could not commit the batch; retry", NULL);
    } else {
        if (bj->in.duplicate)
            wfpw_metrics.batches_duplicate++;
        else
            wfpw_metrics.batches_accepted++;
        wfpw_metrics.events_accepted += bj->in.accepted;
        if (bj->in.superseded > 0) {
            wfpw_metrics.certs_superseded += (uint64_t)bj->in.superseded;
            wfpw_log_info("collector", bj->host, "uses its renewed certificate %s: %d earlier certificate(s) revoked",
                          bj->serial, bj->in.superseded);
            wfpw_enroll_publish_revocations();
        }
        snprintf(body, sizeof(body), "{\"accepted\":%zu,\"duplicate\":%s}", bj->in.accepted,
                 bj->in.duplicate ? "true" : "false");
        wfpw_respond(bj->ref, 200, "application/json", body, strlen(body), NULL);
    }
    job_free(bj);
}

static void decode_after(uv_work_t *w, int status)
{
    struct batch_job *bj = w->data;
    struct wfpw_agent_ident agent;
    int rc;
    (void)status;
    if (bj->status != 0) {
        wfpw_metrics.batches_rejected++;
        wfpw_log_info("collector", bj->host, "rejected batch: %s%s%s", bj->perr.field, bj->perr.field[0] ? ": " : "",
                      bj->perr.msg);
        wfpw_respond_error(bj->ref, bj->status, bj->perr.msg, bj->perr.field[0] ? bj->perr.field : NULL);
        job_free(bj);
        return;
    }
    if (B.cfg.store_none) {
        char out[96];
        wfpw_metrics.batches_accepted++;
        wfpw_metrics.events_accepted += wfpw_batch_count(bj->batch);
        snprintf(out, sizeof(out), "{\"accepted\":%zu,\"duplicate\":false}", wfpw_batch_count(bj->batch));
        wfpw_respond(bj->ref, 200, "application/json", out, strlen(out), NULL);
        job_free(bj);
        return;
    }
    wfpw_batch_agent(bj->batch, &agent);
    /* The certificate is the identity; the batch's own claims are only compared. */
    bj->in.identity_mismatch = strcmp(agent.id, bj->host) != 0 && strcasecmp(agent.hostname, bj->host) != 0;
    bj->in.hostname_mismatch = bj->ou[0] && strcasecmp(agent.hostname, bj->ou) != 0;
    if (bj->in.identity_mismatch)
        wfpw_log_warn("collector", bj->host, "batch %s claims agent id '%s' / host '%s'; stored under the "
                      "certificate's identity", wfpw_batch_id(bj->batch), agent.id, agent.hostname);
    else if (bj->in.hostname_mismatch)
        wfpw_log_warn("collector", bj->host, "batch %s claims host name '%s'; the certificate says '%s' (kept as a "
                      "claim)", wfpw_batch_id(bj->batch), agent.hostname, bj->ou);
    bj->in.batch = bj->batch;
    bj->in.event_json = bj->ev_json;
    bj->in.event_len = bj->ev_len;
    bj->in.host = bj->host;
    bj->in.cert_hostname = bj->ou;
    bj->in.cert_serial = bj->serial;
    bj->in.now_ms = wfpw_now_ms();
    bj->job.ingest = &bj->in;
    bj->job.done = ingest_done;
    if ((rc = wfpw_storeq_submit(&bj->job, WFPW_SQ_INGEST)) != 0) {
        wfpw_refuse_submit(bj->ref, rc);
        job_free(bj);
    }
}

static int media_is(const char *value, const char *want)
{
    size_t n = strlen(want);
    while (*value == ' ')
        value++;
    return strncasecmp(value, want, n) == 0 && (value[n] == '\0' || value[n] == ';' || value[n] == ' ');
}

static void reject(struct wfpw_req *req, int status, const char *msg)
{
    wfpw_metrics.batches_rejected++;
    wfpw_respond_error(req->ref, status, msg, NULL);
}

void wfpw__api_batches(struct wfpw_req *req)
{
    struct batch_job *bj;
    int gzip = 0, slot;

    if (!media_is(req->content_type, "application/json")) {
        reject(req, 415, "Content-Type must be application/json");
        return;
    }
    if (req->content_encoding[0] && !media_is(req->content_encoding, "identity")) {
        if (!media_is(req->content_encoding, "gzip")) {
            reject(req, 415, "Content-Encoding must be gzip or identity");
            return;
        }
        gzip = 1;
    }
    if ((slot = take_slot(req->peer_cn)) < 0) {
        wfpw_metrics.batches_busy++;
        wfpw_respond_error_h(req->ref, 429,
                             slot == -1 ? "another batch of this agent is being stored; send one at a time"
                                        : "too many batches in flight, retry later",
                             NULL, "Retry-After: 1\r\n");
        return;
    }
    if ((bj = wfpw_calloc(1, sizeof(*bj))) == NULL) {
        B.inflight[slot][0] = '\0';
        B.used--;
        wfpw_respond_error(req->ref, 503, "out of memory", NULL);
        return;
    }
    bj->slot = slot;
    bj->gzip = gzip;
    bj->body = wfpw_buf_detach(&req->body, &bj->body_len); /* the request's buffer is empty now */
    snprintf(bj->host, sizeof(bj->host), "%s", req->peer_cn);
    snprintf(bj->ou, sizeof(bj->ou), "%s", req->peer->ou);
    snprintf(bj->serial, sizeof(bj->serial), "%s", req->peer->serial);
    snprintf(bj->addr, sizeof(bj->addr), "%s", req->peer_addr);
    bj->ref = req->ref;
    wfpw_conn_ref_hold(bj->ref);
    bj->work.data = bj;
    if (!gzip && bj->body_len <= INLINE_DECODE_MAX) {
        /* a small batch costs less to decode here than to hand to a worker thread and back */
        decode_work(&bj->work);
        decode_after(&bj->work, 0);
        return;
    }
    if (uv_queue_work(B.cfg.loop, &bj->work, decode_work, decode_after) != 0) {
        wfpw_respond_error(req->ref, 503, "cannot queue the batch, retry", NULL);
        job_free(bj);
    }
}
