/*
 * json.c — strict parsing and canonical writing of JSON (see json.h).
 *
 * Parsing is three steps: a linear pre-scan of the raw bytes (depth, control characters,
 * \u0000, number grammar, token count), cJSON's parse, then a tree walk (UTF-8, duplicate
 * keys) that can name the offending field. The pre-scan bounds depth before cJSON recurses
 * and the token count before it allocates, so a hostile document can exhaust neither the
 * stack nor the heap.
 */
#include "wfpw/json.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfpw/arena.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"
#include "wfpw/utf8.h"

/* The arena of the wfpw_json_parse_arena running on this thread, else NULL. While it is set
 * every cJSON allocation of this thread comes from it, and cJSON's frees (of parts of the
 * tree being built, on a parse error) are no-ops: the arena releases them all at once. */
static _Thread_local struct wfpw_arena *parse_arena;
/* Set when an allocation for cJSON failed on this thread: a parse that fails with it set ran
 * out of memory (WFPW_ENOMEM, which a collector answers 503 and an agent retries), it did not
 * meet malformed JSON. */
static _Thread_local int alloc_failed;

static void *hook_malloc(size_t n)
{
    void *p = parse_arena ? wfpw_arena_alloc(parse_arena, n) : wfpw_malloc(n);
    if (p == NULL)
        alloc_failed = 1;
    return p;
}

static void hook_free(void *p)
{
    if (parse_arena == NULL)
        wfpw_free(p);
}

/* Installed once: cJSON's hooks are process-wide, and writing them again while other threads
 * parse (the collector decodes on several) would be a data race. The first caller installs
 * them; the collector and the agent do so in main, before any thread parses. */
void wfpw_json_init(void)
{
    static cJSON_Hooks hooks = {hook_malloc, hook_free};
    static atomic_int installed;
    if (atomic_exchange(&installed, 1) == 0)
        cJSON_InitHooks(&hooks);
}

/* ---- paths and errors ---------------------------------------------------------------- */

static void jpath_append(struct wfpw_jpath *p, const char *s, size_t n)
{
    const size_t room = sizeof(p->buf) - 4; /* what a cut path keeps, before "...\0" */
    if (p->len + n >= sizeof(p->buf)) {     /* keep the start; mark the cut */
        if (p->len < room) {
            memcpy(p->buf + p->len, s, room - p->len);
            p->len = room;
        } else if (p->len > room) {
            p->len = room;                  /* already full or cut: stays so */
        }
        memcpy(p->buf + room, "...", 4);
        p->len = room + 3;                  /* full: further appends land here too */
        return;
    }
    memcpy(p->buf + p->len, s, n);
    p->len += n;
    p->buf[p->len] = '\0';
}

size_t wfpw_jpath_key(struct wfpw_jpath *p, const char *key)
{
    size_t saved = p->len;
    if (p->off)
        return saved;
    if (p->len)
        jpath_append(p, ".", 1);
    jpath_append(p, key, strlen(key));
    return saved;
}

size_t wfpw_jpath_index(struct wfpw_jpath *p, size_t i)
{
    char tmp[32];
    size_t saved = p->len;
    int n;
    if (p->off)
        return saved;
    n = snprintf(tmp, sizeof(tmp), "[%zu]", i);
    jpath_append(p, tmp, (size_t)n);
    return saved;
}

void wfpw_jpath_pop(struct wfpw_jpath *p, size_t len)
{
    if (!p->off && len < sizeof(p->buf)) {
        p->len = len;
        p->buf[len] = '\0';
    }
}

int wfpw_json_fail(struct wfpw_json_err *err, const struct wfpw_jpath *p, int code,
                   const char *fmt, ...)
{
    va_list ap;
    if (err == NULL)
        return code;
    snprintf(err->field, sizeof(err->field), "%s", p ? p->buf : "");
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return code;
}

cJSON *wfpw_json_add_str_or_null(cJSON *o, const char *name, const char *v)
{
    return v ? cJSON_AddStringToObject(o, name, v) : cJSON_AddNullToObject(o, name);
}

cJSON *wfpw_json_get(const cJSON *obj, const char *name)
{
    cJSON *m;
    if (obj == NULL || name == NULL)
        return NULL;
    for (m = obj->child; m; m = m->next)
        if (m->string && m->string[0] == name[0] && strcmp(m->string, name) == 0)
            return m;
    return NULL;
}

int wfpw_json_uint(const cJSON *node, uint64_t lo, uint64_t hi, uint64_t *out)
{
    double d;
    uint64_t v;
    if (!cJSON_IsNumber(node))
        return -1;
    d = node->valuedouble;
    /* NaN fails both comparisons; the cast is only done inside the safe range */
    if (!(d >= 0.0 && d <= (double)WFPW_JSON_MAX_SAFE_INT))
        return -1;
    v = (uint64_t)d;
    if ((double)v != d || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* ---- step 1: pre-scan of the raw bytes -------------------------------------------------- */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* RFC 8259 §6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int number_ok(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n || !is_digit(s[i]))
        return 0;
    if (s[i] == '0')
        i++;
    else
        while (i < n && is_digit(s[i]))
            i++;
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !is_digit(s[i]))
            return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    return i == n;
}

/* Counts tokens (values and member names) as it goes: a document with more than max_tokens
 * is refused here, before cJSON allocates a node for any of them. */
/* Bytes that need no look inside a string: not '"' (0x22), not '\\' (0x5c), not a control
 * character (below 0x20). */
static const unsigned char plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* Bytes a number token may hold (what number_ok then checks strictly). */
static int numchar(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* *uesc: set when a string has a \\u escape (cJSON turns it into bytes that are not ASCII). */
static int prescan(const char *d, size_t len, int max_depth, size_t max_tokens, int *uesc, struct wfpw_json_err *err)
{
    size_t i = 0, line = 1, tokens = 0;
    int depth = 0;
    while (i < len) {
        char c = d[i];
        if (c == '"') {
            size_t start = i++;
            for (;;) {
                unsigned char s;
                if (i >= len)
                    return wfpw_json_fail(err, NULL, WFPW_ESYNTAX,
                                          "unterminated string starting at byte %zu (line %zu)",
                                          start, line);
                while (i < len && plain[(unsigned char)d[i]])  /* the bulk of a string */
                    i++;
                if (i >= len)
                    continue;
                s = (unsigned char)d[i];
                if (s == '"') {
                    i++;
                    break;
                }
                if (s < 0x20)
                    return wfpw_json_fail(err, NULL, WFPW_ESYNTAX,
                                          "raw control character 0x%02x in string at byte %zu "
                                          "(line %zu)", s, i, line);
                if (s == '\\') {
                    if (i + 1 < len && d[i + 1] == 'u')
                        *uesc = 1;
                    if (i + 5 < len && d[i + 1] == 'u' && memcmp(d + i + 2, "0000", 4) == 0)
                        return wfpw_json_fail(err, NULL, WFPW_ESYNTAX,
                                              "\\u0000 in string at byte %zu (line %zu)", i, line);
                    i += 2;
                    continue;
                }
                i++;
            }
            if (++tokens > max_tokens)
                break;
            continue;
        }
        if (c == '{' || c == '[') {
            if (++depth > max_depth)
                return wfpw_json_fail(err, NULL, WFPW_ESYNTAX,
                                      "nesting deeper than %d at byte %zu (line %zu)",
                                      max_depth, i, line);
            if (++tokens > max_tokens)
                break;
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (c == '-' || is_digit(c)) {
            size_t j = i;
            while (j < len && numchar(d[j]))
                j++;
            if (!number_ok(d + i, j - i))
                return wfpw_json_fail(err, NULL, WFPW_ESYNTAX,
                                      "malformed number '%.*s' at byte %zu (line %zu)",
                                      (int)(j - i > 40 ? 40 : j - i), d + i, i, line);
            i = j;
            if (++tokens > max_tokens)
                break;
            continue;
        } else if (c == 't' || c == 'f' || c == 'n') {
            if (++tokens > max_tokens)
                break;
        } else if (c == '\n') {
            line++;
        }
        i++;
    }
    if (tokens > max_tokens)
        return wfpw_json_fail(err, NULL, WFPW_ETOOBIG,
                              "more than %zu JSON values and member names (at byte %zu, line %zu)",
                              max_tokens, i, line);
    return 0;
}

/* ---- step 3: tree checks ------------------------------------------------------------------ */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Finds a duplicate member name of obj; *dup is set to it. Small objects are compared
 * pairwise, large ones sorted, so a hostile object costs O(n log n). */
static int find_duplicate(const cJSON *obj, const char **dup)
{
    const cJSON *a, *b;
    const char **names;
    size_t n = 0, i;
    for (a = obj->child; a; a = a->next)
        n++;
    *dup = NULL;
    if (n <= 24) {
        /* pairwise, but strcmp only where a cheap fingerprint (length, first and last
         * byte) agrees: distinct names rarely share all three */
        uint32_t fp[24];
        size_t i2 = 0, j;
        for (a = obj->child; a; a = a->next, i2++) {
            size_t len = strlen(a->string);
            fp[i2] = (uint32_t)len << 16 | (uint32_t)(unsigned char)a->string[0] << 8 |
                     (uint32_t)(unsigned char)(len ? a->string[len - 1] : 0);
        }
        for (a = obj->child, i2 = 0; a; a = a->next, i2++)
            for (b = a->next, j = i2 + 1; b; b = b->next, j++)
                if (fp[i2] == fp[j] && strcmp(a->string, b->string) == 0) {
                    *dup = b->string;
                    return 0;
                }
        return 0;
    }
    names = wfpw_malloc(n * sizeof(*names));
    if (names == NULL)
        return WFPW_ENOMEM;
    for (i = 0, a = obj->child; a; a = a->next)
        names[i++] = a->string;
    qsort(names, n, sizeof(*names), cmp_names);
    for (i = 1; i < n && *dup == NULL; i++)
        if (strcmp(names[i - 1], names[i]) == 0)
            *dup = names[i];
    wfpw_free(names);
    return 0;
}

/* Whether every byte is ASCII (then every string is valid UTF-8 and the tree walk need not
 * check): eight bytes at a time. */
static int all_ascii(const char *d, size_t len)
{
    uint64_t w, acc = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, d + i, 8);
        acc |= w;
    }
    for (; i < len; i++)
        acc |= (unsigned char)d[i];
    return (acc & 0x8080808080808080ull) == 0;
}

/* utf8: check strings and member names for UTF-8 (not needed when the text is ASCII). */
static int check_tree(const cJSON *node, struct wfpw_jpath *p, struct wfpw_json_err *err, int utf8)
{
    const cJSON *c;
    size_t i = 0, saved;
    int rc;
    if (cJSON_IsString(node)) {
        if (utf8 && !wfpw_utf8_valid(node->valuestring, strlen(node->valuestring)))
            return wfpw_json_fail(err, p, WFPW_ESYNTAX, "invalid UTF-8 in string");
        return 0;
    }
    if (cJSON_IsObject(node)) {
        const char *dup;
        if ((rc = find_duplicate(node, &dup)) != 0)
            return wfpw_json_fail(err, p, rc, "out of memory");
        if (dup) {
            saved = wfpw_jpath_key(p, dup);
            rc = wfpw_json_fail(err, p, WFPW_ESYNTAX, "duplicate key");
            wfpw_jpath_pop(p, saved);
            return rc;
        }
        for (c = node->child; c; c = c->next) {
            if (utf8 && !wfpw_utf8_valid(c->string, strlen(c->string)))
                return wfpw_json_fail(err, p, WFPW_ESYNTAX, "invalid UTF-8 in a member name");
            saved = wfpw_jpath_key(p, c->string);
            rc = check_tree(c, p, err, utf8);
            wfpw_jpath_pop(p, saved);
            if (rc)
                return rc;
        }
    } else if (cJSON_IsArray(node)) {
        for (c = node->child; c; c = c->next, i++) {
            saved = wfpw_jpath_index(p, i);
            rc = check_tree(c, p, err, utf8);
            wfpw_jpath_pop(p, saved);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int wfpw_json_parse(const char *data, size_t len, int max_depth, cJSON **out,
                    struct wfpw_json_err *err)
{
    return wfpw_json_parse_bounded(data, len, max_depth, (size_t)-1, out, err);
}

int wfpw_json_parse_bounded(const char *data, size_t len, int max_depth, size_t max_tokens, cJSON **out,
                            struct wfpw_json_err *err)
{
    const char *end = NULL;
    struct wfpw_jpath path = {{0}, 0, 0};
    cJSON *root;
    int rc, uesc = 0, utf8;

    *out = NULL;
    wfpw_json_init();
    if ((rc = prescan(data, len, max_depth, max_tokens, &uesc, err)) != 0)
        return rc;
    alloc_failed = 0;
    root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
    if (root == NULL) {
        size_t off = end && end >= data ? (size_t)(end - data) : 0;
        if (alloc_failed)
            return wfpw_json_fail(err, NULL, WFPW_ENOMEM, "out of memory");
        return wfpw_json_fail(err, NULL, WFPW_ESYNTAX, "malformed JSON at byte %zu", off);
    }
    while (end < data + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
        end++;
    if (end != data + len) {
        cJSON_Delete(root);
        return wfpw_json_fail(err, NULL, WFPW_ESYNTAX, "trailing data after the JSON value at byte %zu",
                              (size_t)(end - data));
    }
    path.off = 1; /* the walk again with paths only to word an error */
    utf8 = uesc || !all_ascii(data, len);
    if ((rc = check_tree(root, &path, NULL, utf8)) != 0) {
        int again;
        memset(&path, 0, sizeof(path));
        again = check_tree(root, &path, err, utf8);
        cJSON_Delete(root);
        /* (only an allocation failure can pass the second time) */
        return again ? again : wfpw_json_fail(err, NULL, rc, "out of memory");
    }
    *out = root;
    return 0;
}

int wfpw_json_parse_arena(const char *data, size_t len, int max_depth, size_t max_tokens, struct wfpw_arena *a,
                          cJSON **out, struct wfpw_json_err *err)
{
    struct wfpw_arena *saved = parse_arena;
    int rc;
    wfpw_json_init();
    parse_arena = a;
    rc = wfpw_json_parse_bounded(data, len, max_depth, max_tokens, out, err);
    parse_arena = saved;
    return rc;
}

/* ---- canonical writer ---------------------------------------------------------------------- */

int wfpw_json_write_string(struct wfpw_buf *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const char *run = s;
    wfpw_buf_putc(out, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[6];
        size_t n = 2;
        if (plain[c])
            continue;
        wfpw_buf_append(out, run, (size_t)(s - run));
        run = s + 1;
        esc[0] = '\\';
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u', esc[2] = '0', esc[3] = '0', esc[4] = hex[c >> 4], esc[5] = hex[c & 15];
            n = 6;
        }
        wfpw_buf_append(out, esc, n);
    }
    wfpw_buf_append(out, run, (size_t)(s - run));
    return wfpw_buf_putc(out, '"');
}

static void write_number(struct wfpw_buf *out, double d)
{
    if (d >= -(double)WFPW_JSON_MAX_SAFE_INT && d <= (double)WFPW_JSON_MAX_SAFE_INT &&
        (double)(long long)d == d) {
        /* integers by hand: most numbers of an event are, and printf was a visible share of
         * the collector's canonical re-encoding at ingest */
        char digits[24], *p = digits + sizeof(digits);
        long long v = (long long)d;
        unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
        do
            *--p = (char)('0' + u % 10);
        while ((u /= 10) != 0);
        if (v < 0)
            *--p = '-';
        wfpw_buf_append(out, p, (size_t)(digits + sizeof(digits) - p));
    } else if (d - d != d - d) /* inf or nan: not representable in JSON */
        wfpw_buf_puts(out, "null");
    else
        wfpw_buf_printf(out, "%.17g", d);
}

int wfpw_json_write(const cJSON *node, struct wfpw_buf *out)
{
    const cJSON *c;
    switch (node->type & 0xFF) {
    case cJSON_NULL:
        return wfpw_buf_puts(out, "null");
    case cJSON_False:
        return wfpw_buf_puts(out, "false");
    case cJSON_True:
        return wfpw_buf_puts(out, "true");
    case cJSON_Number:
        write_number(out, node->valuedouble);
        return out->err;
    case cJSON_String:
        return wfpw_json_write_string(out, node->valuestring);
    case cJSON_Array:
        wfpw_buf_putc(out, '[');
        for (c = node->child; c; c = c->next) {
            wfpw_json_write(c, out);
            if (c->next)
                wfpw_buf_putc(out, ',');
        }
        return wfpw_buf_putc(out, ']');
    case cJSON_Object:
        wfpw_buf_putc(out, '{');
        for (c = node->child; c; c = c->next) {
            wfpw_json_write_string(out, c->string);
            wfpw_buf_putc(out, ':');
            wfpw_json_write(c, out);
            if (c->next)
                wfpw_buf_putc(out, ',');
        }
        return wfpw_buf_putc(out, '}');
    default:
        out->err = out->err ? out->err : WFPW_EINVAL;
        return out->err;
    }
}
