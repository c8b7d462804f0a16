/*
 * netshwrite.h — an inventory written back as `netsh wfp show state` XML, the form the
 * netsh reader (netsh.h) takes. The live Windows inventory keeps its snapshot this way, so
 * the file the agent diffs against after a restart is the same kind of file an analyst gets
 * from `netsh wfp show state` and `wfpwatch-agent analyze` reads.
 *
 * Values are written as <asString> text, which the reader keeps verbatim; the round trip
 * write -> read gives an equal model. Characters XML 1.0 cannot carry (controls other than
 * tab, newline and return) are written as U+FFFD: the one lossy case, said in docs/agent.md.
 */
#ifndef WFPW_NETSHWRITE_H
#define WFPW_NETSHWRITE_H

#include "inventory.h"
#include "wfpw/buf.h"

/* Appends the document to out. 0, or the buffer's error (WFPW_ENOMEM / WFPW_ETOOBIG). */
int wfpw_netsh_write(const struct wfpw_inventory *inv, const char *comment, struct wfpw_buf *out);

#endif
