/*
 * samples.h — one realistic event of every proto v1 type, built through the public
 * builders. The golden files in tests/data/proto/golden/ are these events encoded; the
 * fuzz corpus and the Windows tests start from them too. Values follow
 * shared/facts/edrsilencer.md (an EDRSilencer v1.4 filter on MsMpEng.exe).
 */
#ifndef WFPW_TEST_SAMPLES_H
#define WFPW_TEST_SAMPLES_H

#include "wfpw/proto.h"

#define SAMPLE_BATCH_ID "6f1c2a9e-3b7d-4c15-9a0e-8d2f4b6c1e07"
#define SAMPLE_SENT_AT  1763781401250LL /* 2025-11-22T03:16:41.250Z */

/* Names of the sample types, in golden-file order; NULL-terminated. */
extern const char *const wfpw_sample_types[];
/* v1 extensions with golden files of their own (not in the "all" batch); NULL-terminated. */
extern const char *const wfpw_sample_ext_types[];

/* A new event of the named type (caller owns), or NULL. */
cJSON *wfpw_sample_event(const char *type, uint64_t seq);
/* A batch holding one sample of type (NULL: one of every type). Caller frees. */
struct wfpw_batch *wfpw_sample_batch(const char *type);
const struct wfpw_agent_ident *wfpw_sample_agent(void);

#endif
