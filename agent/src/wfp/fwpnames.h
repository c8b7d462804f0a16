/*
 * fwpnames.h — names for the numbers and GUIDs the WFP engine returns, spelled the way
 * `netsh wfp show filters` spells them (without their kind prefix, as the inventory model
 * and the wire do): layer GUIDs ("ALE_AUTH_CONNECT_V4"), condition field GUIDs
 * ("ALE_APP_ID"), data types ("BYTE_BLOB_TYPE"), match types ("EQUAL"), action types
 * ("BLOCK") and flag bits ("PERSISTENT"). The live inventory and the netsh dump of the same
 * engine thus give equal models, so a diff across the two shows no phantom changes.
 *
 * GUID values are the SDK's (fwpmu.h); the ones real 5441/5447 events carry are listed in
 * shared/facts/events.md §5 and the tests check them against that list. A GUID not in the
 * tables is rendered as "{guid}", the same as netsh does for objects it has no name for.
 */
#ifndef WFPW_FWPNAMES_H
#define WFPW_FWPNAMES_H

#include <stddef.h>
#include <stdint.h>

#include "fwpm.h"

#define WFPW_GUID_STR_LEN 39   /* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" + NUL */

/* Lower-case "{...}" into out (WFPW_GUID_STR_LEN bytes). Returns out. */
char *wfpw_guid_str(const struct wfpw_guid *g, char out[WFPW_GUID_STR_LEN]);
/* "{...}" or bare, either case -> *g; 0 or WFPW_ESYNTAX. */
int wfpw_guid_parse(const char *s, struct wfpw_guid *g);
int wfpw_guid_is_null(const struct wfpw_guid *g);

/* Symbol without prefix, or NULL when the GUID is not a known layer / condition field. */
const char *wfpw_fwp_layer_name(const struct wfpw_guid *g);
const char *wfpw_fwp_field_name(const struct wfpw_guid *g);
/* The reverse: "ALE_APP_ID" (with or without "FWPM_CONDITION_") -> GUID; 0 or WFPW_ENOENT. */
int wfpw_fwp_field_guid(const char *name, struct wfpw_guid *g);
int wfpw_fwp_layer_guid(const char *name, struct wfpw_guid *g);

/* Callouts and provider contexts of Windows itself, by full symbol ("FWPM_CALLOUT_IPSEC_ALE_
 * CONNECT_V4"), as netsh prints them; NULL / WFPW_ENOENT when not one of them. */
const char *wfpw_fwp_object_symbol(const struct wfpw_guid *g);
int wfpw_fwp_object_guid(const char *symbol, struct wfpw_guid *g);

/* Run-time layer ids (FWPS_BUILTIN_LAYERS numbering, as in driver records, net events and
 * audit LayerRTID): the name ("ALE_AUTH_CONNECT_V4_DISCARD") or NULL; packet-level layers
 * (IP packet, forward, transport) and layers with a remote end (not bind or listen). */
const char *wfpw_fwps_layer_name(unsigned id);
int wfpw_fwps_layer_is_packet(unsigned id);
int wfpw_fwps_layer_has_remote(unsigned id);
/* FILETIME (100 ns since 1601) -> ms since 1970; WFPW_ERANGE outside 1970..9999. */
int wfpw_filetime_ms(uint64_t ft, int64_t *ms);

/* Enumerations; NULL when the value is not one Windows defines. */
const char *wfpw_fwp_type_name(uint32_t type);      /* "UINT8", "BYTE_BLOB_TYPE", "RANGE_TYPE" */
const char *wfpw_fwp_match_name(uint32_t match);    /* "EQUAL", "FLAGS_NONE_SET" */
const char *wfpw_fwp_action_name(uint32_t action);  /* "BLOCK", "CALLOUT_TERMINATING" */

/* Flag words -> names, one per set bit, unknown bits as "0x%x"; calls emit per name. */
enum wfpw_fwp_flag_kind { WFPW_FLAGS_FILTER, WFPW_FLAGS_PROVIDER, WFPW_FLAGS_SUBLAYER };
int wfpw_fwp_flags(enum wfpw_fwp_flag_kind kind, uint32_t flags, int (*emit)(void *ctx, const char *name),
                   void *ctx);

#endif
