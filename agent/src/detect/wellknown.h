/*
 * wellknown.h — Windows' own WFP providers and sublayers (keys from the SDK and real dumps,
 * shared/facts/edrsilencer.md §5.2–5.3) and the layer classes the rules need. Used to
 * display names and to judge "is this really Microsoft's": an object whose key is not in
 * these tables is not Windows', whatever its name says.
 */
#ifndef WFPW_WELLKNOWN_H
#define WFPW_WELLKNOWN_H

struct wfpw_known {
    const char *symbol;  /* netsh's symbolic name, or NULL when netsh prints the GUID */
    const char *guid;    /* lower-case {guid} */
    const char *name;    /* display name */
};

/* The provider / sublayer for a key given as symbol or GUID; NULL when not Windows'. */
const struct wfpw_known *wfpw_known_provider(const char *key);
const struct wfpw_known *wfpw_known_sublayer(const char *key);

/* The layers the rules judge (ALE auth connect / recv-accept, v4 and v6): symbol without
 * FWPM_LAYER_ and GUID. Other layers' keys come from the live API (FwpmLayerEnum0). */
const struct wfpw_known *wfpw_known_layer(const char *name_or_guid);

/* Layer classes, by symbolic name without FWPM_LAYER_ ("ALE_AUTH_CONNECT_V4"). */
int wfpw_layer_is_ale_auth(const char *layer);  /* connect and recv-accept, v4/v6 (not DISCARD) */
int wfpw_layer_is_outbound(const char *layer);  /* any layer that sees outbound traffic */

#endif
