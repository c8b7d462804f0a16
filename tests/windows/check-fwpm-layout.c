/*
 * check-fwpm-layout.c — Windows build only: the portable declarations of the WFP management
 * structures (agent/src/wfp/fwpm.h), which the live inventory reads the engine's arrays
 * through by a cast, have exactly the size and member offsets of mingw-w64's fwpmtypes.h.
 * Any difference fails the build, so the cast is proven, not hoped for.
 */
#include <winsock2.h>
#include <windows.h>
#include <fwpmu.h>
#include <stddef.h>
#include <stdio.h>

#include "fwpm.h"

#define SAME_SIZE(ours, theirs) _Static_assert(sizeof(struct ours) == sizeof(theirs), #ours " size")
#define SAME_AT(ours, om, theirs, tm) \
    _Static_assert(offsetof(struct ours, om) == offsetof(theirs, tm), #ours "." #om " offset")

SAME_SIZE(wfpw_guid, GUID);
SAME_SIZE(wfpw_fwp_blob, FWP_BYTE_BLOB);
SAME_SIZE(wfpw_fwp_v4mask, FWP_V4_ADDR_AND_MASK);
SAME_SIZE(wfpw_fwp_v6mask, FWP_V6_ADDR_AND_MASK);
SAME_SIZE(wfpw_fwp_value, FWP_VALUE0);
SAME_SIZE(wfpw_fwp_range, FWP_RANGE0);
SAME_SIZE(wfpw_fwp_cond_value, FWP_CONDITION_VALUE0);
SAME_AT(wfpw_fwp_value, u, FWP_VALUE0, uint8);
SAME_AT(wfpw_fwp_cond_value, u, FWP_CONDITION_VALUE0, uint8);
SAME_AT(wfpw_fwp_range, high, FWP_RANGE0, valueHigh);
SAME_SIZE(wfpw_fwpm_display, FWPM_DISPLAY_DATA0);
SAME_SIZE(wfpw_fwpm_cond, FWPM_FILTER_CONDITION0);
SAME_AT(wfpw_fwpm_cond, match, FWPM_FILTER_CONDITION0, matchType);
SAME_AT(wfpw_fwpm_cond, value, FWPM_FILTER_CONDITION0, conditionValue);
SAME_SIZE(wfpw_fwpm_action, FWPM_ACTION0);
SAME_AT(wfpw_fwpm_action, filter_type, FWPM_ACTION0, filterType);

SAME_SIZE(wfpw_fwpm_filter, FWPM_FILTER0);
SAME_AT(wfpw_fwpm_filter, display, FWPM_FILTER0, displayData);
SAME_AT(wfpw_fwpm_filter, flags, FWPM_FILTER0, flags);
SAME_AT(wfpw_fwpm_filter, provider_key, FWPM_FILTER0, providerKey);
SAME_AT(wfpw_fwpm_filter, provider_data, FWPM_FILTER0, providerData);
SAME_AT(wfpw_fwpm_filter, layer_key, FWPM_FILTER0, layerKey);
SAME_AT(wfpw_fwpm_filter, sublayer_key, FWPM_FILTER0, subLayerKey);
SAME_AT(wfpw_fwpm_filter, weight, FWPM_FILTER0, weight);
SAME_AT(wfpw_fwpm_filter, nconds, FWPM_FILTER0, numFilterConditions);
SAME_AT(wfpw_fwpm_filter, conds, FWPM_FILTER0, filterCondition);
SAME_AT(wfpw_fwpm_filter, action, FWPM_FILTER0, action);
SAME_AT(wfpw_fwpm_filter, ctx, FWPM_FILTER0, rawContext);
SAME_AT(wfpw_fwpm_filter, reserved, FWPM_FILTER0, reserved);
SAME_AT(wfpw_fwpm_filter, id, FWPM_FILTER0, filterId);
SAME_AT(wfpw_fwpm_filter, effective_weight, FWPM_FILTER0, effectiveWeight);

SAME_SIZE(wfpw_fwpm_provider, FWPM_PROVIDER0);
SAME_AT(wfpw_fwpm_provider, flags, FWPM_PROVIDER0, flags);
SAME_AT(wfpw_fwpm_provider, provider_data, FWPM_PROVIDER0, providerData);
SAME_AT(wfpw_fwpm_provider, service_name, FWPM_PROVIDER0, serviceName);

SAME_SIZE(wfpw_fwpm_sublayer, FWPM_SUBLAYER0);
SAME_AT(wfpw_fwpm_sublayer, flags, FWPM_SUBLAYER0, flags);
SAME_AT(wfpw_fwpm_sublayer, provider_key, FWPM_SUBLAYER0, providerKey);
SAME_AT(wfpw_fwpm_sublayer, weight, FWPM_SUBLAYER0, weight);

SAME_SIZE(wfpw_fwpm_callout, FWPM_CALLOUT0);
SAME_AT(wfpw_fwpm_callout, provider_key, FWPM_CALLOUT0, providerKey);
SAME_AT(wfpw_fwpm_callout, layer, FWPM_CALLOUT0, applicableLayer);
SAME_AT(wfpw_fwpm_callout, id, FWPM_CALLOUT0, calloutId);

/* net events: the versions mingw-w64 declares (0 and 1) */
#include "fwpm_netevent.h"
SAME_SIZE(wfpw_ne_header0, FWPM_NET_EVENT_HEADER0);
SAME_AT(wfpw_ne_header0, flags, FWPM_NET_EVENT_HEADER0, flags);
SAME_AT(wfpw_ne_header0, local, FWPM_NET_EVENT_HEADER0, localAddrV4);
SAME_AT(wfpw_ne_header0, remote, FWPM_NET_EVENT_HEADER0, remoteAddrV6);
SAME_AT(wfpw_ne_header0, local_port, FWPM_NET_EVENT_HEADER0, localPort);
SAME_AT(wfpw_ne_header0, app_id, FWPM_NET_EVENT_HEADER0, appId);
SAME_AT(wfpw_ne_header0, user_id, FWPM_NET_EVENT_HEADER0, userId);
SAME_SIZE(wfpw_ne_header1, FWPM_NET_EVENT_HEADER1);
SAME_SIZE(wfpw_ne_event1, FWPM_NET_EVENT1);
SAME_AT(wfpw_ne_event1, type, FWPM_NET_EVENT1, type);
SAME_AT(wfpw_ne_event1, detail, FWPM_NET_EVENT1, classifyDrop);
SAME_SIZE(wfpw_ne_classify_drop1, FWPM_NET_EVENT_CLASSIFY_DROP1);
SAME_AT(wfpw_ne_classify_drop1, layer_id, FWPM_NET_EVENT_CLASSIFY_DROP1, layerId);
SAME_AT(wfpw_ne_classify_drop1, ms_fwp_direction, FWPM_NET_EVENT_CLASSIFY_DROP1, msFwpDirection);
SAME_AT(wfpw_ne_classify_drop1, is_loopback, FWPM_NET_EVENT_CLASSIFY_DROP1, isLoopback);
_Static_assert((int)FWPM_NET_EVENT_TYPE_CLASSIFY_DROP == WFPW_NE_CLASSIFY_DROP, "net event type");

_Static_assert((int)FWP_V4_ADDR_MASK == (int)WFPW_FWP_V4_ADDR_MASK && (int)FWP_RANGE_TYPE == (int)WFPW_FWP_RANGE_TYPE &&
                   (int)FWP_BYTE_ARRAY6_TYPE == (int)WFPW_FWP_BYTE_ARRAY6_TYPE && (int)FWP_SID == (int)WFPW_FWP_SID &&
                   (int)FWP_UNICODE_STRING_TYPE == (int)WFPW_FWP_UNICODE_STRING_TYPE,
               "FWP_DATA_TYPE values");
_Static_assert((int)FWP_MATCH_NOT_EQUAL == 10 && FWP_ACTION_CALLOUT_TERMINATING == 0x5003 &&
                   FWP_ACTION_CALLOUT_INSPECTION == 0x6004 && FWP_ACTION_CALLOUT_UNKNOWN == 0x4005 &&
                   FWP_ACTION_CONTINUE == 0x2006,
               "match and action values used by fwpnames.c");

int main(void)
{
    printf("FWPM_FILTER0 %u bytes, FWPM_FILTER_CONDITION0 %u bytes: layouts agree\n", (unsigned)sizeof(FWPM_FILTER0),
           (unsigned)sizeof(FWPM_FILTER_CONDITION0));
    return 0;
}
