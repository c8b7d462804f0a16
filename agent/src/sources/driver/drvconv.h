/*
 * drvconv.h — driver records (agent/driver/wfpw_device.h) to proto v1 connection_blocked
 * events. Portable: the Windows `driver` source and the replay source (recorded driver
 * output) both convert through here, so the conversion is tested natively and under Wine.
 */
#ifndef WFPW_DRVCONV_H
#define WFPW_DRVCONV_H

#include <stddef.h>

#include <cjson/cJSON.h>
#include "devrec.h"

/* Name of an FWPS_BUILTIN_LAYERS value ("ALE_AUTH_CONNECT_V4_DISCARD"), NULL when unknown. */
const char *wfpw_drv_layer_name(unsigned layer_id);

/* The event for rec (owned by the caller); *packet is 1 for packet-level layers (transport and
 * IP-packet discard: aggregated), 0 for connection-level ones. NULL with a message in err when
 * the record cannot be expressed (a time before 1970) or memory runs out. */
cJSON *wfpw_drv_to_event(const struct wfpw_devrec *rec, int *packet, char *err, size_t errlen);

#endif /* WFPW_DRVCONV_H */
