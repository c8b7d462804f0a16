/*
 * cloud.h — where security products talk to: their cloud domains and the address ranges their
 * vendors publish, each with its public source (cloud.c). The surface rules ask whether an
 * NRPT namespace, a hosts entry, a route or a QoS policy touches one of them.
 *
 * A pattern "*.example.com" stands for example.com and every name below it; a pattern without
 * the star for that one name. A `shared` domain also carries traffic that is not the
 * product's (Windows telemetry: privacy hosts lists block it), so findings on it are milder.
 */
#ifndef WFPW_CLOUD_H
#define WFPW_CLOUD_H

#include <stddef.h>

#include "netaddr.h"

struct wfpw_cloud_domain {
    const char *pattern;
    const char *vendor;
    int shared;
    const char *source;   /* a public page or document */
};

struct wfpw_cloud_range {
    const char *prefix;   /* "a.b.c.d" or "a.b.c.d/len" */
    const char *vendor;
    const char *source;
};

/* The product domain a host name (hosts entry, NRPT single-name rule) is, or lies under; NULL
 * when none. Case-insensitive, a trailing dot ignored. */
const struct wfpw_cloud_domain *wfpw_cloud_name(const char *name);
/* The first product domain an NRPT namespace covers: ".x" covers x and every name below it
 * (so a parent of a product domain covers it, and a name inside a product's wildcard too);
 * "x" (no leading dot) is the one name x. The catch-all "." covers everything but returns
 * NULL here: callers test for it themselves. */
const struct wfpw_cloud_domain *wfpw_cloud_namespace(const char *ns);
/* The first published range a prefix overlaps; NULL when none. */
const struct wfpw_cloud_range *wfpw_cloud_addr(const struct wfpw_netaddr *a);
/* The tables, for docs and tests. */
const struct wfpw_cloud_domain *wfpw_cloud_domains(size_t *n);
const struct wfpw_cloud_range *wfpw_cloud_ranges(size_t *n);

#endif /* WFPW_CLOUD_H */
