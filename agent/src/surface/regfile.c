/*
 * regfile.c — registry export reader (see regfile.h). Each file is read twice: a first pass
 * checks every line and stores nothing, the second applies it, so a malformed file leaves
 * the store as it was.
 */
#include "regfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wfpw/buf.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"
#include "wfpw/utf8.h"

#define MAX_VALUE_BYTES (16u << 20)

void wfpw_regstore_init(struct wfpw_regstore *rs)
{
    memset(rs, 0, sizeof(*rs));
    wfpw_arena_init(&rs->arena);
}

void wfpw_regstore_free(struct wfpw_regstore *rs)
{
    wfpw_free(rs->vals);
    wfpw_free(rs->keys);
    wfpw_arena_free(&rs->arena);
    memset(rs, 0, sizeof(*rs));
}


int wfpw_reg_cmp(const char *a, const char *b)
{
    int ca, cb;
    do {
        ca = wfpw_ascii_lower((unsigned char)*a++);
        cb = wfpw_ascii_lower((unsigned char)*b++);
    } while (ca && ca == cb);
    return ca - cb;
}

int wfpw_reg_eq(const char *a, const char *b)
{
    return wfpw_reg_cmp(a, b) == 0;
}

#define eq_nocase wfpw_reg_eq

/* a is b or lies under b (b\...). */
static int under_nocase(const char *a, const char *b)
{
    size_t n = strlen(b);
    size_t i;
    if (strlen(a) < n)
        return 0;
    for (i = 0; i < n; i++)
        if (wfpw_ascii_lower((unsigned char)a[i]) != wfpw_ascii_lower((unsigned char)b[i]))
            return 0;
    return a[n] == '\0' || a[n] == '\\';
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = wfpw_ascii_lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* ---- one file ----------------------------------------------------------------------------- */

struct rdr {
    struct wfpw_regstore *rs;
    int apply;              /* 0: check only */
    int wide;               /* v5: hex(N) strings are UTF-16LE */
    const char *file;       /* arena copy when applying */
    unsigned line;
    char *err;
    size_t errlen;
    const char *key;        /* current key (arena copy when applying), NULL outside one */
};

static int fail(struct rdr *r, const char *what, const char *detail)
{
    if (r->line)
        snprintf(r->err, r->errlen, "%s:%u: %s%s%s", r->file, r->line, what, detail ? ": " : "", detail ? detail : "");
    else /* the whole file (its encoding, or nothing in it) */
        snprintf(r->err, r->errlen, "%s: %s%s%s", r->file, what, detail ? ": " : "", detail ? detail : "");
    return WFPW_EINVAL;
}

static const struct { const char *longn, *shortn; } roots[] = {
    {"HKEY_LOCAL_MACHINE", "HKLM"}, {"HKEY_CURRENT_USER", "HKCU"}, {"HKEY_CLASSES_ROOT", "HKCR"},
    {"HKEY_USERS", "HKU"},          {"HKEY_CURRENT_CONFIG", "HKCC"},
    {"IPHLPAPI", "IPHLPAPI"}, /* not the registry: the route table the agent keeps beside it (surface.h) */
};

/* "HKEY_LOCAL_MACHINE\X" -> "HKLM\X" into out (cap outlen); -1 for an unknown root. */
static int abbreviate(const char *k, size_t n, char *out, size_t outlen)
{
    size_t i;
    for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        size_t l = strlen(roots[i].longn);
        size_t s = strlen(roots[i].shortn);
        size_t j;
        const char *hit = NULL;
        size_t hl = 0;
        if (n >= l && (n == l || k[l] == '\\')) {
            for (j = 0; j < l && wfpw_ascii_lower((unsigned char)k[j]) == wfpw_ascii_lower((unsigned char)roots[i].longn[j]); j++)
                ;
            if (j == l)
                hit = k + l, hl = n - l;
        }
        if (hit == NULL && n >= s && (n == s || k[s] == '\\')) {
            for (j = 0; j < s && wfpw_ascii_lower((unsigned char)k[j]) == wfpw_ascii_lower((unsigned char)roots[i].shortn[j]); j++)
                ;
            if (j == s)
                hit = k + s, hl = n - s;
        }
        if (hit) {
            while (hl > 0 && hit[hl - 1] == '\\')
                hl--;
            if (s + hl + 1 > outlen)
                return -1;
            memcpy(out, roots[i].shortn, s);
            memcpy(out + s, hit, hl);
            out[s + hl] = '\0';
            return 0;
        }
    }
    return -1;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    size_t ncap;
    void *p;
    if (need <= *cap)
        return 0;
    ncap = *cap ? *cap * 2 : 64;
    while (ncap < need)
        ncap *= 2;
    p = wfpw_realloc(*arr, ncap * elem);
    if (p == NULL)
        return WFPW_ENOMEM;
    *arr = p;
    *cap = ncap;
    return 0;
}

static void delete_key(struct wfpw_regstore *rs, const char *key)
{
    size_t i, o = 0;
    for (i = 0; i < rs->nvals; i++)
        if (!under_nocase(rs->vals[i].key, key))
            rs->vals[o++] = rs->vals[i];
    rs->nvals = o;
    for (i = 0, o = 0; i < rs->nkeys; i++)
        if (!under_nocase(rs->keys[i].key, key))
            rs->keys[o++] = rs->keys[i];
    rs->nkeys = o;
}

static void delete_value(struct wfpw_regstore *rs, const char *key, const char *name)
{
    size_t i, o = 0;
    for (i = 0; i < rs->nvals; i++)
        if (!(eq_nocase(rs->vals[i].key, key) && eq_nocase(rs->vals[i].name, name)))
            rs->vals[o++] = rs->vals[i];
    rs->nvals = o;
}

static int key_line(struct rdr *r, const char *s, size_t n)
{
    char k[4096];
    int del = 0;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n < 2 || s[n - 1] != ']')
        return fail(r, "a key line must end with ']'", NULL);
    s++, n -= 2;
    if (n > 0 && s[0] == '-')
        del = 1, s++, n--;
    if (n == 0)
        return fail(r, "empty key name", NULL);
    if (abbreviate(s, n, k, sizeof(k)) != 0)
        return fail(r, "the key does not start with a registry root (HKEY_LOCAL_MACHINE, HKEY_CURRENT_USER, "
                       "HKEY_CLASSES_ROOT, HKEY_USERS or HKEY_CURRENT_CONFIG; or IPHLPAPI, the agent's route table), or is longer "
                       "than 4095 bytes", NULL);
    if (!r->apply) {
        r->key = del ? NULL : "";
        return 0;
    }
    if (del) {
        delete_key(r->rs, k);
        r->key = NULL;
        return 0;
    }
    if ((r->key = wfpw_arena_strdup(&r->rs->arena, k)) == NULL ||
        grow((void **)&r->rs->keys, &r->rs->capkeys, r->rs->nkeys + 1, sizeof(*r->rs->keys)) != 0)
        return WFPW_ENOMEM;
    r->rs->keys[r->rs->nkeys].key = r->key;
    r->rs->keys[r->rs->nkeys].file = r->file;
    r->rs->keys[r->rs->nkeys].line = r->line;
    r->rs->nkeys++;
    return 0;
}

/* A quoted string at *ps (after its opening quote) into out (may be NULL to check only);
 * \\ and \" unescaped, other backslashes kept. Returns its length, -1 when unterminated. */
static long quoted(const char **ps, const char *end, char *out)
{
    const char *s = *ps;
    long n = 0;
    while (s < end && *s != '"') {
        char c = *s++;
        if (c == '\\' && s < end && (*s == '\\' || *s == '"'))
            c = *s++;
        if (out)
            out[n] = c;
        n++;
    }
    if (s >= end)
        return -1;
    *ps = s + 1;
    return n;
}

static int only_blank(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    return s == end;
}

/* UTF-16LE (or, in a REGEDIT4 file, 8-bit) string data as UTF-8; MULTI_SZ entries joined by
 * '\n', the terminating NULs dropped. NULL on out of memory. */
static const char *decode_text(struct rdr *r, const uint8_t *d, size_t len, uint32_t type)
{
    struct wfpw_arena *a = &r->rs->arena;
    char *out, *o;
    size_t i = 0, unit = r->wide ? 2 : 1;
    out = wfpw_arena_alloc(a, len / unit * 3 + len + 2);
    if (out == NULL)
        return NULL;
    o = out;
    while (i + unit <= len) {
        size_t j = i;
        while (j + unit <= len && !(d[j] == 0 && (unit == 1 || d[j + 1] == 0)))
            j += unit;
        if (j > i) {
            char *entry;
            if (o != out)
                *o++ = '\n';
            entry = o;
            if (r->wide) {
                o += wfpw_utf16le_to_utf8(d + i, j - i, o);
            } else {
                size_t k;
                for (k = i; k < j; k++) /* 8-bit: Latin-1 as a stand-in for the ANSI code page */
                    if (d[k] < 0x80) {
                        *o++ = (char)d[k];
                    } else {
                        *o++ = (char)(0xC0 | d[k] >> 6);
                        *o++ = (char)(0x80 | (d[k] & 0x3F));
                    }
            }
            if (type == WFPW_REG_MULTI_SZ) /* '\n' separates the entries: one inside an entry is a space */
                for (; entry < o; entry++)
                    if (*entry == '\n')
                        *entry = ' ';
        }
        if (type != WFPW_REG_MULTI_SZ && j + unit <= len)
            break; /* SZ / EXPAND_SZ end at their first NUL */
        i = j + unit;
    }
    *o = '\0';
    return out;
}

static int value_line(struct rdr *r, const char *s, size_t n)
{
    const char *end = s + n, *p = s;
    char *name = NULL, *sdata = NULL;
    long nl;
    uint32_t type;
    uint8_t *data = NULL;
    size_t len = 0;
    const char *text = NULL;
    struct wfpw_arena *a = &r->rs->arena;

    if (r->key == NULL)
        return fail(r, "a value outside any key (no [KEY] line above it, or the key was deleted)", NULL);
    if (*p == '@') {
        p++;
        nl = 0;
        if (r->apply && (name = wfpw_arena_strdup(a, "")) == NULL)
            return WFPW_ENOMEM;
    } else {
        const char *q = ++p;
        if ((nl = quoted(&q, end, NULL)) < 0)
            return fail(r, "the value name's closing quote is missing", NULL);
        if (r->apply) {
            if ((name = wfpw_arena_alloc(a, (size_t)nl + 1)) == NULL)
                return WFPW_ENOMEM;
            quoted(&p, end, name);
            name[nl] = '\0';
        } else {
            p = q;
        }
    }
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p >= end || *p != '=')
        return fail(r, "expected '=' after the value name", NULL);
    p++;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p < end && *p == '-' && only_blank(p + 1, end)) {
        if (r->apply)
            delete_value(r->rs, r->key, name);
        return 0;
    }
    if (p < end && *p == '"') {
        const char *q = ++p;
        long sl = quoted(&q, end, NULL);
        if (sl < 0)
            return fail(r, "the string's closing quote is missing", NULL);
        if (!only_blank(q, end))
            return fail(r, "text after the string's closing quote", NULL);
        type = WFPW_REG_SZ;
        if (r->apply) {
            if ((sdata = wfpw_arena_alloc(a, (size_t)sl + 1)) == NULL)
                return WFPW_ENOMEM;
            quoted(&p, end, sdata);
            sdata[sl] = '\0';
            data = (uint8_t *)sdata, len = (size_t)sl, text = sdata;
        }
    } else if ((size_t)(end - p) >= 6 && memcmp(p, "dword:", 6) == 0) {
        uint32_t v = 0;
        int digits = 0;
        p += 6;
        while (p < end && hexval((unsigned char)*p) >= 0 && digits < 9)
            v = v << 4 | (uint32_t)hexval((unsigned char)*p++), digits++;
        if (digits == 0 || digits > 8 || !only_blank(p, end))
            return fail(r, "dword: needs 1 to 8 hexadecimal digits and nothing after them", NULL);
        type = WFPW_REG_DWORD;
        if (r->apply) {
            if ((data = wfpw_arena_alloc(a, 4)) == NULL)
                return WFPW_ENOMEM;
            data[0] = (uint8_t)v, data[1] = (uint8_t)(v >> 8), data[2] = (uint8_t)(v >> 16), data[3] = (uint8_t)(v >> 24);
            len = 4;
        }
    } else if ((size_t)(end - p) >= 3 && memcmp(p, "hex", 3) == 0) {
        const char *q;
        size_t cap;
        p += 3;
        type = WFPW_REG_BINARY;
        if (p < end && *p == '(') {
            int digits = 0;
            type = 0;
            for (p++; p < end && hexval((unsigned char)*p) >= 0 && digits < 9; p++, digits++)
                type = type << 4 | (uint32_t)hexval((unsigned char)*p);
            if (digits == 0 || digits > 8 || p >= end || *p != ')')
                return fail(r, "hex(N): needs a type number of 1 to 8 hexadecimal digits", NULL);
            p++;
        }
        if (p >= end || *p != ':')
            return fail(r, "expected ':' after hex", NULL);
        p++;
        cap = (size_t)(end - p) / 2 + 1;
        if (r->apply && (data = wfpw_arena_alloc(a, cap)) == NULL)
            return WFPW_ENOMEM;
        for (q = p; q < end;) {
            int hi, lo = -1, nd;
            while (q < end && (*q == ' ' || *q == '\t'))
                q++;
            if (q >= end)
                break;
            hi = hexval((unsigned char)*q);
            if (hi < 0)
                return fail(r, "hex data holds something other than two-digit bytes separated by commas", NULL);
            q++;
            nd = 1;
            if (q < end && (lo = hexval((unsigned char)*q)) >= 0)
                q++, nd = 2;
            if (data)
                data[len] = (uint8_t)(nd == 2 ? hi << 4 | lo : hi);
            len++;
            if (len > MAX_VALUE_BYTES)
                return fail(r, "value data larger than 16 MiB", NULL);
            while (q < end && (*q == ' ' || *q == '\t'))
                q++;
            if (q < end && *q != ',')
                return fail(r, "hex data holds something other than two-digit bytes separated by commas", NULL);
            if (q < end)
                q++;
        }
        if (r->apply && (type == WFPW_REG_SZ || type == WFPW_REG_EXPAND_SZ || type == WFPW_REG_MULTI_SZ) &&
            (text = decode_text(r, data, len, type)) == NULL)
            return WFPW_ENOMEM;
    } else {
        return fail(r, "value data must be \"string\", dword:, hex:, hex(N): or -", NULL);
    }
    if (r->apply) {
        struct wfpw_regval *v;
        /* a second line for the same value replaces the first: dedupe() after the file */
        if (grow((void **)&r->rs->vals, &r->rs->capvals, r->rs->nvals + 1, sizeof(*r->rs->vals)) != 0)
            return WFPW_ENOMEM;
        v = &r->rs->vals[r->rs->nvals++];
        v->key = r->key, v->name = name, v->type = type, v->data = data, v->len = len, v->text = text;
        v->file = r->file, v->line = r->line;
    }
    return 0;
}

static int parse_text(struct rdr *r, const char *txt, size_t len)
{
    const char *p = txt, *end = txt + len;
    struct wfpw_buf_lite { char *d; size_t n, cap; } join = {NULL, 0, 0};
    int header = 0, rc = 0;
    r->line = 0;
    r->key = NULL;
    while (p < end && rc == 0) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end, *s = p;
        size_t n;
        r->line++;
        p = nl ? nl + 1 : end;
        while (le > s && (le[-1] == '\r'))
            le--;
        n = (size_t)(le - s);
        if (!header) {
            while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                n--;
            if (n == 0)
                continue;
            if (n == 36 && memcmp(s, "Windows Registry Editor Version 5.00", 36) == 0)
                r->wide = 1;
            else if (n == 8 && memcmp(s, "REGEDIT4", 8) == 0)
                r->wide = 0;
            else
                rc = fail(r, "not a registry export: the first line is neither "
                             "\"Windows Registry Editor Version 5.00\" nor \"REGEDIT4\"", NULL);
            header = 1;
            continue;
        }
        while (n > 0 && (*s == ' ' || *s == '\t'))
            s++, n--;
        if (n == 0 || *s == ';')
            continue;
        if (*s == '[') {
            rc = key_line(r, s, n);
        } else if (*s == '"' || *s == '@') {
            /* continuation: a line ending in a backslash goes on with the next, leading blanks
             * dropped (regedit wraps hex data this way) */
            unsigned first = r->line;
            join.n = 0;
            for (;;) {
                size_t t = n;
                int more;
                while (t > 0 && (s[t - 1] == ' ' || s[t - 1] == '\t'))
                    t--;
                more = t > 0 && s[t - 1] == '\\' && p < end;
                if (more)
                    t--;
                if (join.n + t + 1 > join.cap) {
                    size_t nc = (join.n + t + 1) * 2;
                    char *d = wfpw_realloc(join.d, nc);
                    if (d == NULL) {
                        rc = WFPW_ENOMEM;
                        break;
                    }
                    join.d = d, join.cap = nc;
                }
                memcpy(join.d + join.n, s, t);
                join.n += t;
                if (!more)
                    break;
                nl = memchr(p, '\n', (size_t)(end - p));
                le = nl ? nl : end;
                s = p;
                p = nl ? nl + 1 : end;
                r->line++;
                while (le > s && le[-1] == '\r')
                    le--;
                while (s < le && (*s == ' ' || *s == '\t'))
                    s++;
                n = (size_t)(le - s);
            }
            if (rc == 0) {
                unsigned last = r->line;
                r->line = first;
                rc = value_line(r, join.d, join.n);
                if (rc == 0)
                    r->line = last;
            }
        } else {
            rc = fail(r, "the line is neither a [KEY], a \"value\"=data line nor a ; comment", NULL);
        }
    }
    if (rc == 0 && !header)
        rc = fail(r, "empty file: not a registry export", NULL);
    wfpw_free(join.d);
    return rc;
}

/* The same value (key and name, without regard to case) set twice, in one file or across files:
 * the last one stands, as importing the files in order would leave it. O(n log n). */
struct vref {
    const char *key, *name;
    size_t idx;
};

static int cmp_vref(const void *x, const void *y)
{
    const struct vref *a = x, *b = y;
    int c = wfpw_reg_cmp(a->key, b->key);
    if (c == 0)
        c = wfpw_reg_cmp(a->name, b->name);
    return c ? c : (a->idx < b->idx ? -1 : a->idx > b->idx);
}

static int dedupe(struct wfpw_regstore *rs)
{
    struct vref *r;
    unsigned char *drop;
    size_t i, o = 0, n = rs->nvals;
    if (n < 2)
        return 0;
    r = wfpw_malloc(n * sizeof(*r));
    drop = wfpw_calloc(n, 1);
    if (r == NULL || drop == NULL) {
        wfpw_free(r);
        wfpw_free(drop);
        return WFPW_ENOMEM;
    }
    for (i = 0; i < n; i++)
        r[i].key = rs->vals[i].key, r[i].name = rs->vals[i].name, r[i].idx = i;
    qsort(r, n, sizeof(*r), cmp_vref);
    for (i = 0; i + 1 < n; i++)
        if (wfpw_reg_cmp(r[i].key, r[i + 1].key) == 0 && wfpw_reg_cmp(r[i].name, r[i + 1].name) == 0)
            drop[r[i].idx] = 1; /* a later line sets it again */
    for (i = 0; i < n; i++)
        if (!drop[i])
            rs->vals[o++] = rs->vals[i];
    rs->nvals = o;
    wfpw_free(r);
    wfpw_free(drop);
    return 0;
}

int wfpw_regfile_parse(struct wfpw_regstore *rs, const char *fname, const uint8_t *data, size_t len, char *err,
                       size_t errlen)
{
    struct rdr r;
    char *txt = NULL;
    size_t tlen;
    int rc;

    memset(&r, 0, sizeof(r));
    r.rs = rs, r.err = err, r.errlen = errlen, r.file = fname;
    if (data == NULL) /* an empty buffer may have no storage */
        data = (const uint8_t *)"", len = 0;
    if (len >= 2 && data[0] == 0xFE && data[1] == 0xFF)
        return fail(&r, "UTF-16 big-endian: reg export writes UTF-16LE (BOM FF FE) or UTF-8", NULL);
    if (len >= 2 && data[0] == 0xFF && data[1] == 0xFE) {
        if (len % 2)
            return fail(&r, "UTF-16LE file with an odd number of bytes (cut short?)", NULL);
        if ((txt = wfpw_malloc((len - 2) / 2 * 3 + 1)) == NULL)
            return WFPW_ENOMEM;
        tlen = wfpw_utf16le_to_utf8(data + 2, len - 2, txt);
    } else {
        size_t off = len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF ? 3 : 0;
        if (memchr(data + off, 0, len - off))
            return fail(&r, "a NUL byte in a UTF-8 file (UTF-16 without its byte order mark?)", NULL);
        if (!wfpw_utf8_valid((const char *)data + off, len - off))
            return fail(&r, "neither UTF-16LE with a byte order mark nor valid UTF-8", NULL);
        if ((txt = wfpw_malloc(len - off + 1)) == NULL)
            return WFPW_ENOMEM;
        memcpy(txt, data + off, len - off);
        tlen = len - off;
        txt[tlen] = '\0';
    }
    r.apply = 0;
    rc = parse_text(&r, txt, tlen);
    if (rc == 0) {
        r.apply = 1;
        if ((r.file = wfpw_arena_strdup(&rs->arena, fname)) == NULL)
            rc = WFPW_ENOMEM;
        else
            rc = parse_text(&r, txt, tlen);
        if (rc == 0)
            rc = dedupe(rs);
    }
    wfpw_free(txt);
    return rc;
}

static int add_key(struct wfpw_regstore *rs, const char *key, const char *file, const char **out)
{
    size_t i;
    for (i = 0; i < rs->nkeys; i++)
        if (eq_nocase(rs->keys[i].key, key)) {
            *out = rs->keys[i].key;
            return 0;
        }
    if (grow((void **)&rs->keys, &rs->capkeys, rs->nkeys + 1, sizeof(*rs->keys)) != 0 ||
        (*out = wfpw_arena_strdup(&rs->arena, key)) == NULL)
        return WFPW_ENOMEM;
    rs->keys[rs->nkeys].key = *out, rs->keys[rs->nkeys].file = file, rs->keys[rs->nkeys].line = 0;
    rs->nkeys++;
    return 0;
}

int wfpw_regstore_add(struct wfpw_regstore *rs, const char *key, const char *name, uint32_t type, const uint8_t *data,
                      size_t len, const char *file)
{
    struct rdr r;
    struct wfpw_regval *v;
    const char *k, *f;
    uint8_t *d;
    memset(&r, 0, sizeof(r));
    r.rs = rs, r.wide = 1;
    if ((f = wfpw_arena_strdup(&rs->arena, file)) == NULL || add_key(rs, key, f, &k) != 0)
        return WFPW_ENOMEM;
    if (name == NULL)
        return 0; /* the key alone (it exists, without values) */
    if ((d = wfpw_arena_alloc(&rs->arena, len ? len : 1)) == NULL)
        return WFPW_ENOMEM;
    if (len)
        memcpy(d, data, len);
    if (grow((void **)&rs->vals, &rs->capvals, rs->nvals + 1, sizeof(*rs->vals)) != 0)
        return WFPW_ENOMEM;
    v = &rs->vals[rs->nvals];
    memset(v, 0, sizeof(*v));
    v->key = k, v->type = type, v->data = d, v->len = len, v->file = f;
    if ((v->name = wfpw_arena_strdup(&rs->arena, name)) == NULL)
        return WFPW_ENOMEM;
    if ((type == WFPW_REG_SZ || type == WFPW_REG_EXPAND_SZ || type == WFPW_REG_MULTI_SZ) &&
        (v->text = decode_text(&r, d, len, type)) == NULL)
        return WFPW_ENOMEM;
    rs->nvals++;
    return 0;
}

/* UTF-8 text as UTF-16LE hex bytes with the terminating NUL(s); multi: '\n' separates entries */
static void put_utf16_hex(struct wfpw_buf *out, const char *t, int multi)
{
    const unsigned char *p = (const unsigned char *)t;
    int first = 1;
    while (*p) {
        uint32_t c = *p++;
        int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        uint16_t u[2];
        int n = 1, i;
        if (more) {
            c &= 0x3Fu >> more;
            while (more-- > 0 && (*p & 0xC0) == 0x80)
                c = c << 6 | (*p++ & 0x3Fu);
        }
        if (multi && c == '\n')
            c = 0;
        if (c >= 0x10000) {
            c -= 0x10000;
            u[0] = (uint16_t)(0xD800 | c >> 10), u[1] = (uint16_t)(0xDC00 | (c & 0x3FF)), n = 2;
        } else {
            u[0] = (uint16_t)c;
        }
        for (i = 0; i < n; i++, first = 0)
            wfpw_buf_printf(out, "%s%02x,%02x", first ? "" : ",", u[i] & 0xFF, u[i] >> 8);
    }
    wfpw_buf_printf(out, "%s00,00", first ? "" : ",");
    if (multi)
        wfpw_buf_puts(out, ",00,00");
}

static void put_quoted(struct wfpw_buf *out, const char *s)
{
    wfpw_buf_putc(out, '"');
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            wfpw_buf_putc(out, '\\');
        wfpw_buf_putc(out, *s);
    }
    wfpw_buf_putc(out, '"');
}

int wfpw_regstore_write(const struct wfpw_regstore *rs, struct wfpw_buf *out)
{
    size_t i, j, b;
    wfpw_buf_puts(out, "Windows Registry Editor Version 5.00\r\n");
    for (i = 0; i < rs->nkeys; i++) {
        const char *k = rs->keys[i].key, *rest = strchr(k, '\\');
        size_t r, rl = rest ? (size_t)(rest - k) : strlen(k);
        for (r = 0; r < sizeof(roots) / sizeof(roots[0]); r++)
            if (strlen(roots[r].shortn) == rl && strncmp(k, roots[r].shortn, rl) == 0)
                break;
        wfpw_buf_printf(out, "\r\n[%s%s]\r\n", r < sizeof(roots) / sizeof(roots[0]) ? roots[r].longn : k,
                        rest && r < sizeof(roots) / sizeof(roots[0]) ? rest : "");
        for (j = 0; j < rs->nvals; j++) {
            const struct wfpw_regval *v = &rs->vals[j];
            if (v->key != k && !eq_nocase(v->key, k))
                continue;
            if (v->name[0])
                put_quoted(out, v->name);
            else
                wfpw_buf_putc(out, '@');
            /* strings from their UTF-8 text (as UTF-16LE in hex(N) unless a plain "string"
             * holds them), so that an 8-bit REGEDIT4 source comes back the same */
            if (v->type == WFPW_REG_SZ && v->text && !strchr(v->text, '\n')) {
                wfpw_buf_putc(out, '=');
                put_quoted(out, v->text);
            } else if (v->text) {
                wfpw_buf_printf(out, "=hex(%x):", (unsigned)v->type);
                put_utf16_hex(out, v->text, v->type == WFPW_REG_MULTI_SZ);
            } else if (v->type == WFPW_REG_DWORD && v->len == 4) {
                wfpw_buf_printf(out, "=dword:%02x%02x%02x%02x", v->data[3], v->data[2], v->data[1], v->data[0]);
            } else {
                wfpw_buf_printf(out, "=hex(%x):", (unsigned)v->type);
                for (b = 0; b < v->len; b++)
                    wfpw_buf_printf(out, "%s%02x", b ? "," : "", v->data[b]);
            }
            wfpw_buf_puts(out, "\r\n");
        }
    }
    return out->err;
}

const struct wfpw_regval *wfpw_regstore_get(const struct wfpw_regstore *rs, const char *key, const char *name)
{
    size_t i;
    for (i = 0; i < rs->nvals; i++)
        if (eq_nocase(rs->vals[i].key, key) && eq_nocase(rs->vals[i].name, name))
            return &rs->vals[i];
    return NULL;
}

int wfpw_regval_number(const struct wfpw_regval *v, uint64_t *out)
{
    size_t i;
    uint64_t x = 0;
    if (v == NULL)
        return -1;
    if ((v->type == WFPW_REG_DWORD || v->type == WFPW_REG_DWORD_BE) && v->len == 4) {
        for (i = 0; i < 4; i++)
            x = v->type == WFPW_REG_DWORD ? x | (uint64_t)v->data[i] << (8 * i) : x << 8 | v->data[i];
        *out = x;
        return 0;
    }
    if (v->type == WFPW_REG_QWORD && v->len == 8) {
        for (i = 0; i < 8; i++)
            x |= (uint64_t)v->data[i] << (8 * i);
        *out = x;
        return 0;
    }
    return -1;
}

void wfpw_regval_show(const struct wfpw_regval *v, char *out, size_t outlen)
{
    uint64_t x;
    size_t used, i;
    if (outlen == 0)
        return;
    if (v->text) {
        used = (size_t)snprintf(out, outlen, "\"");
        for (i = 0; v->text[i] && used + 6 < outlen; i++)
            out[used++] = v->text[i] == '\n' ? ';' : v->text[i];
        snprintf(out + used, outlen - used, v->text[i] ? "...\"" : "\"");
        return;
    }
    if (wfpw_regval_number(v, &x) == 0) {
        snprintf(out, outlen, v->type == WFPW_REG_QWORD ? "qword:%llu" : "dword:%llu", (unsigned long long)x);
        return;
    }
    used = (size_t)snprintf(out, outlen, v->type == WFPW_REG_BINARY ? "hex:" : "hex(%x):", (unsigned)v->type);
    for (i = 0; i < v->len && used + 8 < outlen; i++)
        used += (size_t)snprintf(out + used, outlen - used, "%s%02x", i ? "," : "", v->data[i]);
    if (i < v->len && used < outlen)
        snprintf(out + used, outlen - used, "...");
}
