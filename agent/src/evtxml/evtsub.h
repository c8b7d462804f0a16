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

#define WFPW_EVT_QUERY_MAX_IDS 64
#define WFPW_EVT_SELECT_MAX 16   /* expressions per <Select> (Windows refuses about 21 and more) */

/* The structured query (QueryList) for the event ids in channel, e.g.
 *   <QueryList><Query Id="0" Path="Security"><Select Path="Security">*[System[(EventID=1102 or
 *   (EventID&gt;=5152 and EventID&lt;=5159))]]</Select></Query></QueryList>
 * ids in any order, repeats allowed; a run of three or more neighbours is one range (two
 * expressions); at most WFPW_EVT_SELECT_MAX expressions per Select. WFPW_ERANGE when it does
 * not fit in out, WFPW_EINVAL for no ids, more than WFPW_EVT_QUERY_MAX_IDS, an id above 65535 or
 * a channel name with quotes or markup. */
int wfpw_evt_query(const char *channel, const int64_t *ids, size_t n, char *out, size_t len);
/* The number of EventID expressions in an XPath or one Select's text. */
int wfpw_evt_query_expressions(const char *select);

/* The bookmark XML EvtCreateBookmark takes, for the record after which to resume. */
int wfpw_evt_bookmark_xml(const char *channel, uint64_t record_id, char *out, size_t len);

static inline uint64_t wfpw_evt_pos(uint32_t generation, uint64_t record_id)
{
    return (uint64_t)generation << WFPW_EVT_RECORD_BITS | (record_id & WFPW_EVT_RECORD_MAX);
}
static inline uint32_t wfpw_evt_pos_generation(uint64_t pos) { return (uint32_t)(pos >> WFPW_EVT_RECORD_BITS); }
static inline uint64_t wfpw_evt_pos_record(uint64_t pos) { return pos & WFPW_EVT_RECORD_MAX; }

#endif
