/*
 * evtsub.h — the portable half of the Security event log subscription: the XPath query for
 * the configured event ids, the bookmark the subscription resumes after, and the source
 * positions that make a restart lose nothing and repeat nothing.
 *
 * Position = (log generation << 40) | EventRecordID. Record ids grow along the log; clearing
 * the log (or a subscription that can no longer find its bookmark) starts them again, so the
 * source then moves to the next generation and every later position is still greater than
 * anything spooled before. The bookmark is rebuilt from the last spooled position (the spool
 * is the durable record of what was taken), so it can never run ahead of the spool.
 */
#ifndef WFPW_EVTSUB_H
#define WFPW_EVTSUB_H

#include <stddef.h>
#include <stdint.h>

#define WFPW_EVT_RECORD_BITS 40
#define WFPW_EVT_RECORD_MAX ((1ull << WFPW_EVT_RECORD_BITS) - 1)

/* "*[System[(EventID=5157 or EventID=5152)]]" into out; WFPW_ERANGE when it does not fit,
 * WFPW_EINVAL for no ids or an id above 65535. */
int wfpw_evt_query(const int64_t *ids, size_t n, char *out, size_t len);

/* The bookmark XML EvtCreateBookmark takes, for the record after which to resume. */
int wfpw_evt_bookmark_xml(const char *channel, uint64_t record_id, char *out, size_t len);

static inline uint64_t wfpw_evt_pos(uint32_t generation, uint64_t record_id)
{
    return (uint64_t)generation << WFPW_EVT_RECORD_BITS | (record_id & WFPW_EVT_RECORD_MAX);
}
static inline uint32_t wfpw_evt_pos_generation(uint64_t pos) { return (uint32_t)(pos >> WFPW_EVT_RECORD_BITS); }
static inline uint64_t wfpw_evt_pos_record(uint64_t pos) { return pos & WFPW_EVT_RECORD_MAX; }

#endif
