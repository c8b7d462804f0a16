/*
 * cfgtab.h — declarative configuration tables (the Fluent Bit config_map habit): one row
 * per key with its type, bounds, default, the offset of its field and a line of help. The
 * same table validates a JSON object (unknown keys and wrong types are errors naming the
 * key), applies defaults, takes Group Policy overrides, prints the effective configuration
 * with secrets masked, and documents itself (wfpw_cfgtab_help).
 *
 * Keys are dotted paths into nested objects ("collector.url"). Values live in fixed-size
 * fields of the caller's struct, so a parsed configuration owns no heap memory.
 */
#ifndef WFPW_CFGTAB_H
#define WFPW_CFGTAB_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "wfpw/buf.h"

#define WFPW_CFG_STR_MAX  512
#define WFPW_CFG_LIST_MAX 32

enum wfpw_cfg_type {
    WFPW_CFG_STR,      /* char[max or WFPW_CFG_STR_MAX]; "" = unset */
    WFPW_CFG_PATH,     /* as STR, made absolute against the config file's folder */
    WFPW_CFG_INT,      /* int64_t within [min, max] */
    WFPW_CFG_BOOL,     /* int 0/1 */
    WFPW_CFG_ENUM,     /* char[max or WFPW_CFG_STR_MAX], one of .choices */
    WFPW_CFG_LIST      /* struct wfpw_cfg_list of strings */
};

#define WFPW_CFG_REQUIRED 1
#define WFPW_CFG_SECRET   2   /* masked when printed, never logged */
#define WFPW_CFG_NULLABLE 4   /* JSON null = unset (and "" for a PATH) */
#define WFPW_CFG_ONE_OR_MANY 8 /* LIST: a single string is a list of one */

struct wfpw_cfg_list {
    size_t n;
    char v[WFPW_CFG_LIST_MAX][WFPW_CFG_STR_MAX];
};

struct wfpw_cfg_key {
    const char *key;                 /* dotted path */
    enum wfpw_cfg_type type;
    size_t offset;                   /* of the field in the target struct */
    int64_t min, max;                /* INT bounds; STR, PATH, ENUM: max is the field's size in
                                      * bytes, 0 for WFPW_CFG_STR_MAX */
    const char *def;                 /* default as text (NULL: none) */
    const char *const *choices;      /* ENUM values, NULL-terminated */
    int flags;
    const char *help;
};

struct wfpw_cfg_table {
    const struct wfpw_cfg_key *keys;
    size_t n;
};

/* Defaults of every key into dst (relative default paths against base_dir). */
int wfpw_cfgtab_defaults(const struct wfpw_cfg_table *t, void *dst, const char *base_dir,
                         char *err, size_t errlen);
/* Apply obj (an object; prefix names it in messages, e.g. "sources[0]") to dst. Unknown
 * keys, wrong types, out-of-range values: WFPW_EINVAL with "KEY: what is wrong" in err.
 * skip (may be NULL) is a key of obj the caller handles itself. */
int wfpw_cfgtab_apply(const struct wfpw_cfg_table *t, const cJSON *obj, const char *prefix, const char *skip,
                      void *dst, const char *base_dir, char *err, size_t errlen);
/* Set one key from text (a Group Policy value). */
int wfpw_cfgtab_set(const struct wfpw_cfg_table *t, const char *key, const char *text, void *dst,
                    const char *base_dir, char *err, size_t errlen);
/* Required keys that are still unset: WFPW_EINVAL naming the first. */
int wfpw_cfgtab_check_required(const struct wfpw_cfg_table *t, const void *dst, const char *prefix,
                               char *err, size_t errlen);
/* The effective values as a JSON object (nested by the dotted keys); secrets as "***". */
cJSON *wfpw_cfgtab_to_json(const struct wfpw_cfg_table *t, const void *dst);
/* One line per key: key, type, default, help. */
void wfpw_cfgtab_help(const struct wfpw_cfg_table *t, const char *prefix, struct wfpw_buf *out);

/* dir of a file path ("." for none), into out. */
void wfpw_cfg_dirname(const char *path, char *out, size_t len);
/* path made absolute against base (already absolute: copied); WFPW_ERANGE when too long. */
int wfpw_cfg_resolve(const char *base, const char *path, char *out, size_t len);

#endif
