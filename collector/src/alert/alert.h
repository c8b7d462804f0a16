/*
 * alert.h — alert delivery from the durable outbox (store.h) to a webhook and/or syslog.
 *
 * Alerts enter the outbox in the same transaction that stores them, one row per target,
 * so an alert is never lost because a target was down. This thread (own SQLite
 * connection) delivers each row, marks it delivered, and retries failures with capped
 * full-jitter backoff. A row is marked delivered only after the target accepted it
 * (webhook: 2xx; syslog/TCP: written; syslog/UDP: sent). Every delivery carries the alert
 * id (webhook header X-Wfpwatch-Alert-Id, CEF cs1) so a receiver can drop a repeat that a
 * crash between "accepted" and "marked" could cause.
 */
#ifndef WFPW_ALERT_H
#define WFPW_ALERT_H

#include <stdint.h>

#include "store/store.h"

struct wfpw_alert_cfg {
    const char *datadir;
    enum wfpw_store_kind store_kind;  /* the store the outbox is in (with dsn for PostgreSQL) */
    const char *dsn;
    const char *webhook_url;      /* NULL: no webhook */
    const char *webhook_ca;       /* CA bundle for an https webhook; NULL: system default */
    int64_t webhook_timeout_ms;
    const char *syslog_host;      /* NULL: no syslog */
    int syslog_port;
    int syslog_tcp;               /* 0: UDP */
    int64_t retry_max_ms;         /* backoff cap */
    int64_t poll_ms;              /* how often the outbox is read */
};

struct wfpw_alert_stats {
    uint64_t delivered, failed;
    int64_t pending;
};

int wfpw_alert_start(const struct wfpw_alert_cfg *cfg);
void wfpw_alert_stop(void);
void wfpw_alert_get_stats(struct wfpw_alert_stats *out);

#endif
