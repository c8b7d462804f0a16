/*
 * products.h — security products whose network access a WFP filter must not cut: the
 * executables of EDR, AV and log-shipping agents (covering every name public silencers and
 * detections list, shared/samples/edrsilencer/edr_process_names.txt), plus names added by
 * configuration. A generic name that Windows or other software also uses (sfc.exe,
 * httpd.exe, cb.exe, HealthService.exe, ...) counts only with its vendor's folder in the
 * path, so Windows' own sfc.exe never looks like Cisco's.
 */
#ifndef WFPW_PRODUCTS_H
#define WFPW_PRODUCTS_H

#include <stddef.h>

struct wfpw_product {
    const char *exe;      /* lower case, without ".exe" */
    const char *vendor;
    const char *path_hint; /* required (case-insensitive) substring of the path, or NULL */
};

/* The product a path or executable name belongs to (case-insensitive, device or DOS path,
 * with or without ".exe"); NULL when none. extra: additional executable names (config),
 * which match without a path hint and report vendor "configured". */
const struct wfpw_product *wfpw_product_match(const char *path, const char *const *extra, size_t nextra);
/* 1 when the last component of path, without ".exe", is name (itself with or without ".exe"),
 * case-insensitively. */
int wfpw_exe_is(const char *path, const char *name);
/* Case-insensitive substring test. */
int wfpw_contains_nocase(const char *hay, const char *needle);
/* The built-in table, for docs and tests. */
const struct wfpw_product *wfpw_products(size_t *n);

#endif
