/*
 * devmap.c — see devmap.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "devmap.h"
#include "wfpw/errors.h"

int wfpw_devmap_parse(struct wfpw_devmap *m, const char *text, char *err, size_t errlen)
{
    const char *line = text;
    unsigned lineno = 0;
    m->n = 0;
    while (*line) {
        const char *eol = strchr(line, '\n'), *dev;
        size_t len = eol ? (size_t)(eol - line) : strlen(line), dlen, i;
        lineno++;
        if (len >= 4 && isalpha((unsigned char)line[0]) && line[1] == ':' && line[2] == '=') {
            dev = line + 3, dlen = len - 3;
            while (dlen && (dev[dlen - 1] == '\r' || dev[dlen - 1] == '\\'))
                dlen--;
            if (dlen == 0 || dlen >= sizeof(m->e[0].device) || dev[0] != '\\') {
                snprintf(err, errlen, "device map line %u: '%.*s' is not a device path", lineno, (int)(len > 80 ? 80 : len), line);
                return WFPW_ESYNTAX;
            }
            if (m->n < WFPW_DEVMAP_MAX) {
                m->e[m->n].drive[0] = (char)toupper((unsigned char)line[0]);
                m->e[m->n].drive[1] = ':', m->e[m->n].drive[2] = '\0';
                for (i = 0; i < dlen; i++)
                    m->e[m->n].device[i] = (char)tolower((unsigned char)dev[i]);
                m->e[m->n].device[dlen] = '\0';
                m->e[m->n].len = dlen;
                m->n++;
            }
        }
        line += len + (eol != NULL);
    }
    return 0;
}

int wfpw_devmap_map(const struct wfpw_devmap *m, const char *p, char *out, size_t len)
{
    size_t i, k, best = m->n;
    int w;
    for (i = 0; i < m->n; i++) {  /* the longest device that is a whole-component prefix */
        size_t dl = m->e[i].len;
        for (k = 0; k < dl && p[k] && tolower((unsigned char)p[k]) == (unsigned char)m->e[i].device[k]; k++)
            ;
        if (k == dl && (p[dl] == '\\' || p[dl] == '\0') && (best == m->n || dl > m->e[best].len))
            best = i;
    }
    if (best == m->n)
        return WFPW_ENOENT;
    p += m->e[best].len;
    w = snprintf(out, len, "%s%s", m->e[best].drive, *p ? p : "\\");
    return w < 0 || (size_t)w >= len ? WFPW_ERANGE : 0;
}
