/*
 * netsh.h — reads `netsh wfp show filters` (root <wfpdiag>) and `netsh wfp show state`
 * (root <wfpstate>, filters nested per layer, sublayers with weights) XML into an inventory.
 *
 * Streaming (expat, fed in chunks): a 10,000-filter dump never needs to be in memory whole.
 * The second top-level element netsh writes after </wfpstate> (<firewallState>, which makes
 * real dumps not well-formed) is tolerated. Errors name the line and the element:
 * "line 412, <conditionValue>: ...". Entities are not expanded beyond expat's defaults
 * (billion-laughs protection on, no external entities).
 */
#ifndef WFPW_NETSH_H
#define WFPW_NETSH_H

#include <stddef.h>

#include "inventory.h"

struct wfpw_netsh;

/* A reader filling inv (initialised by the caller, who keeps ownership). NULL on OOM. */
struct wfpw_netsh *wfpw_netsh_new(struct wfpw_inventory *inv);
/* Feed the next chunk; last = 1 with the final one. 0 or WFPW_ESYNTAX / WFPW_EPROTO /
 * WFPW_ENOMEM with a message in err. After an error, further calls fail the same way. */
int wfpw_netsh_feed(struct wfpw_netsh *r, const char *data, size_t len, int last, char *err, size_t errlen);
void wfpw_netsh_free(struct wfpw_netsh *r);

/* Whole buffer / whole file (read in 64 KiB chunks). */
int wfpw_netsh_read(const char *data, size_t len, struct wfpw_inventory *inv, char *err, size_t errlen);
int wfpw_netsh_read_file(const char *path, struct wfpw_inventory *inv, char *err, size_t errlen);

#endif
