/*
 * devrec.h — encode and parse the driver's records (layout in ../wfpw_device.h). Portable C
 * compiled by the kernel driver (encode, through the ring) and by the agent (parse); no
 * allocation, no libc beyond memcpy/memset, byte-by-byte little-endian access.
 */
#ifndef WFPW_DEVREC_H
#define WFPW_DEVREC_H

#include <stddef.h>
#include <stdint.h>

#include "../wfpw_device.h"

/* What the classify function saw; the driver fills it on its stack (no path copy: the path
 * pointer is borrowed for the call that encodes it). */
struct wfpw_devrec_in {
    uint64_t time;               /* FILETIME */
    uint64_t process_id;
    uint64_t filter_id;
    uint32_t flags;              /* WFPW_DEV_F_* except PATH_TRUNCATED (set by the encoder) */
    uint32_t discard_module, discard_reason;
    uint16_t layer_id, local_port, remote_port;
    uint8_t direction, ip_version, protocol;
    uint8_t local_addr[16], remote_addr[16];
    const uint8_t *path;         /* UTF-16LE bytes, borrowed; NULL when none */
    size_t path_bytes;           /* any length; cut to WFPW_DEV_PATH_MAX (even) */
};

/* A parsed record; path points into the buffer that was parsed (borrowed). */
struct wfpw_devrec {
    uint64_t seq, time, process_id, filter_id;
    uint32_t flags, discard_module, discard_reason;
    uint16_t layer_id, local_port, remote_port;
    uint8_t direction, ip_version, protocol;
    uint8_t local_addr[16], remote_addr[16];
    const uint8_t *path;
    size_t path_bytes;
};

/* Bytes the record for `in` takes (header + cut path, rounded up to 8). */
size_t wfpw_devrec_size(const struct wfpw_devrec_in *in);
/* Write the record with sequence number seq into out (wfpw_devrec_size(in) bytes). */
void wfpw_devrec_encode(const struct wfpw_devrec_in *in, uint64_t seq, uint8_t *out);

/* Parse the record at the start of buf[0..len). 0 and *used = its size on success;
 * WFPW_EAGAIN when buf holds only the beginning of a record (read more);
 * WFPW_ECORRUPT when it is not a valid version-1 record (bad size, type, version, CRC, flags,
 * path length, non-zero reserved or padding bytes). */
int wfpw_devrec_parse(const uint8_t *buf, size_t len, struct wfpw_devrec *out, size_t *used);

/* The reader's view of the sequence: each record exactly once, or a counted gap. */
struct wfpw_devseq {
    uint64_t last;               /* last seq seen, 0 before the first */
    uint64_t missing;            /* records never seen (dropped by the driver), in total */
};
/* Account for seq: returns how many records are missing right before it (0 normally), or
 * WFPW_ECORRUPT when seq does not move forward (a record seen twice or out of order). */
int64_t wfpw_devseq_next(struct wfpw_devseq *s, uint64_t seq);

/* A driver record file's header (WFPW_DEV_FILE_HEADER bytes at p): 0 and its major version in
 * *major, or WFPW_EPROTO when p does not start with the magic. */
int wfpw_devrec_file_header(const uint8_t *p, size_t n, unsigned *major);

/* The next record of a recorded stream: wfpw_devrec_parse, then wfpw_devseq_next. 0 with *gap
 * the records missing right before it; otherwise what parse returns, or WFPW_ECORRUPT for a
 * sequence number that does not move forward; *why is then "truncated", "corrupt" or
 * "out-of-sequence" (for messages naming the record). */
int wfpw_devrec_next(const uint8_t *buf, size_t len, struct wfpw_devseq *seq, struct wfpw_devrec *out, size_t *used,
                     int64_t *gap, const char **why);

/* Little-endian helpers shared with the ring. */
static inline void wfpw__put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline uint16_t wfpw__get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

#endif /* WFPW_DEVREC_H */
