/*
 * surfload.h — a folder of collected surface files (hosts and *.reg) into a surface: what
 * `analyze --surface DIR` reads and what the `surface` source reads in its `dir` mode; and
 * the live host's (`analyze --surface live`, the source's live mode). Here,
 * beside the source, because it uses the agent's file I/O (common/include/wfpw/fileio.h), which the portable
 * surface library does not link.
 */
#ifndef WFPW_SURFLOAD_H
#define WFPW_SURFLOAD_H

#include <stddef.h>

#include "surface.h"

/* Every "hosts" and "*.reg" in dir into s (initialised by the caller), then the items built.
 * 0, or an error with err saying which file, line and fault (WFPW_EINVAL for bad content,
 * also for a folder with neither kind of file). */
int wfpw_surface_load_dir(struct wfpw_surface *s, const char *dir, char *err, size_t errlen);
/* This host's surface through the platform layer: the registry values, the route table and
 * the hosts file (read leniently, as Windows does), then the items built. 0 with err set is a
 * reading with a warning (a key that could not be read, hosts lines skipped); WFPW_ENOSYS off
 * Windows; else an error with err. */
int wfpw_surface_load_live(struct wfpw_surface *s, char *err, size_t errlen);

#endif
