/*
 * fwpconv.h — the engine's objects (FWPM_FILTER0, FWPM_PROVIDER0, FWPM_SUBLAYER0,
 * FWPM_CALLOUT0, declared portably in fwpm.h) into the inventory model (inventory.h), with
 * the same names and value renderings as the netsh XML reader, so a live inventory diffs
 * cleanly against a netsh dump of the same engine and the detection rules judge both alike.
 *
 * Condition values by type: integers in decimal; byte blobs that are UTF-16 text (app ids)
 * as that text, other blobs in lower-case hex; SIDs as "S-1-..."; security descriptors as
 * SDDL through the caller's hook (Windows renders them; without a hook "sd:" + hex);
 * BYTE_ARRAY16 as an IPv6 address; BYTE_ARRAY6 as a MAC address; V4/V6 address masks as
 * "addr/mask" and "addr/prefix"; ranges as "low-high". Every pointer a type needs is
 * checked: a value that claims a type and carries no data is an error naming the filter and
 * the condition, not a crash (the engine should never send one). Match and value types a
 * later Windows may add are kept by number ("MATCH_13", "TYPE_21", "(unsupported value
 * type 21)") rather than failing the whole inventory; an unknown action is an error (the wire
 * knows a fixed set).
 *
 * Ownership: everything is copied into inv's arena; the engine's memory can be freed
 * (FwpmFreeMemory0) as soon as a call returns.
 */
#ifndef WFPW_FWPCONV_H
#define WFPW_FWPCONV_H

#include <stddef.h>
#include <stdint.h>

#include "fwpm.h"
#include "inventory.h"

struct wfpw_fwpconv_opts {
    /* self-relative security descriptor -> SDDL text in out; 0, or non-zero when it cannot */
    int (*sd_to_sddl)(void *ctx, const uint8_t *sd, size_t len, char *out, size_t outlen);
    void *ctx;
};

/* Append one object to inv. 0, WFPW_ENOMEM, or WFPW_EPROTO with the reason in err. opts may
 * be NULL. */
int wfpw_fwpconv_filter(struct wfpw_inventory *inv, const struct wfpw_fwpm_filter *f,
                        const struct wfpw_fwpconv_opts *opts, char *err, size_t errlen);
int wfpw_fwpconv_provider(struct wfpw_inventory *inv, const struct wfpw_fwpm_provider *p, char *err, size_t errlen);
int wfpw_fwpconv_sublayer(struct wfpw_inventory *inv, const struct wfpw_fwpm_sublayer *s, char *err, size_t errlen);
int wfpw_fwpconv_callout(struct wfpw_inventory *inv, const struct wfpw_fwpm_callout *c, char *err, size_t errlen);

/* A SID structure as "S-1-5-18"; WFPW_ERANGE when out is too small (96 bytes always fit). */
int wfpw_sid_str(const struct wfpw_sid *sid, char *out, size_t len);

#endif
