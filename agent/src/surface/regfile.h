/*
 * regfile.h — reader for registry export files, the format `reg export` and regedit write:
 * "Windows Registry Editor Version 5.00" (UTF-16LE with BOM, or UTF-8 with or without BOM) and
 * "REGEDIT4". Responders collect NRPT, QoS, proxy and route keys this way; the offline
 * analyzer (`analyze --surface`) reads them here, portably, with no registry API.
 *
 * Grammar handled: [KEY] and [-KEY]; "name"=... and @=...; data "string", dword:HHHHHHHH,
 * hex:bytes, hex(N):bytes (N = the value type in hex), and - (delete the value); a line ending
 * in a backslash continues on the next; ; starts a comment line. Deletions apply in file order,
 * as importing the file would. Anything else is an error naming the file, the line and what is
 * wrong — nothing is half-read: on error the store keeps what earlier files added, and none of
 * this file.
 *
 * Ownership: every string and byte array lives in the store's arena; wfpw_regstore_free
 * releases all of it.
 */
#ifndef WFPW_REGFILE_H
#define WFPW_REGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "wfpw/arena.h"

#define WFPW_REG_NONE      0
#define WFPW_REG_SZ        1
#define WFPW_REG_EXPAND_SZ 2
#define WFPW_REG_BINARY    3
#define WFPW_REG_DWORD     4
#define WFPW_REG_DWORD_BE  5
#define WFPW_REG_LINK      6
#define WFPW_REG_MULTI_SZ  7
#define WFPW_REG_QWORD     11

struct wfpw_regval {
    const char *key;       /* "HKLM\\SOFTWARE\\...", root abbreviated, otherwise as written */
    const char *name;      /* "" for the default value (@) */
    uint32_t type;         /* WFPW_REG_* (any number the file gives) */
    const uint8_t *data;   /* hex:/hex(N): forms: the bytes as written (strings UTF-16LE in a
                              v5 file); dword: 4 bytes little-endian; "string": its UTF-8 */
    size_t len;
    const char *text;      /* SZ, EXPAND_SZ, MULTI_SZ (entries joined by '\n'): UTF-8; else NULL */
    const char *file;      /* where it was read */
    unsigned line;
};

struct wfpw_regkey {
    const char *key;       /* as wfpw_regval.key */
    const char *file;
    unsigned line;
};

struct wfpw_regstore {
    struct wfpw_arena arena;
    struct wfpw_regval *vals;   /* owned (wfpw_malloc'd array); deleted entries removed */
    size_t nvals, capvals;
    struct wfpw_regkey *keys;   /* every key named by a [KEY] line, in order */
    size_t nkeys, capkeys;
};

void wfpw_regstore_init(struct wfpw_regstore *rs);
void wfpw_regstore_free(struct wfpw_regstore *rs);

/* Read one export (data[0..len) of file fname, which names it in errors). 0, or a negative
 * WFPW_E* code with err = "FILE:LINE: what is wrong" (WFPW_EINVAL for malformed input). */
int wfpw_regfile_parse(struct wfpw_regstore *rs, const char *fname, const uint8_t *data, size_t len, char *err,
                       size_t errlen);

/* Add one value read from the live registry (key abbreviated: "HKLM\\..."): data as the
 * registry holds it (strings UTF-16LE); file names where it came from ("registry"). Each value
 * is added once (the registry has no duplicates; nothing is checked); name NULL adds the key
 * alone. 0 or WFPW_ENOMEM. */
int wfpw_regstore_add(struct wfpw_regstore *rs, const char *key, const char *name, uint32_t type, const uint8_t *data,
                      size_t len, const char *file);
/* The store as a "Windows Registry Editor Version 5.00" file in UTF-8 (what the agent keeps
 * between runs; wfpw_regfile_parse reads it back to the same values). 0 or the buffer's error. */
struct wfpw_buf;
int wfpw_regstore_write(const struct wfpw_regstore *rs, struct wfpw_buf *out);

/* The value name of key (both compared case-insensitively, key after root abbreviation), or
 * NULL. */
const struct wfpw_regval *wfpw_regstore_get(const struct wfpw_regstore *rs, const char *key, const char *name);

/* Registry names compare without regard to ASCII case: 1 when a and b are the same name;
 * wfpw_reg_cmp orders them (<0, 0, >0) the same way. */
int wfpw_reg_eq(const char *a, const char *b);
int wfpw_reg_cmp(const char *a, const char *b);

/* DWORD or QWORD value as a number (DWORD_BE too); -1 when v is not one. */
int wfpw_regval_number(const struct wfpw_regval *v, uint64_t *out);

/* The value's data as a person reads it ("dword:0x00000008", "\"text\"", "hex:18,00,...")
 * into out (truncated with "..." past outlen). */
void wfpw_regval_show(const struct wfpw_regval *v, char *out, size_t outlen);

#endif /* WFPW_REGFILE_H */
