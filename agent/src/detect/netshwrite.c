/*
 * netshwrite.c — inventory -> `netsh wfp show state` XML (see netshwrite.h). Everything sits
 * in one <layers><item>: the reader takes each filter's layer from its own <layerKey>.
 */
#include <stdio.h>
#include <string.h>

#include "netshwrite.h"
#include "wfpw/errors.h"

static int esc(struct wfpw_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    int rc = 0;
    for (; *p && rc == 0; p++) {
        switch (*p) {
        case '&': rc = wfpw_buf_puts(b, "&amp;"); break;
        case '<': rc = wfpw_buf_puts(b, "&lt;"); break;
        case '>': rc = wfpw_buf_puts(b, "&gt;"); break;
        case '"': rc = wfpw_buf_puts(b, "&quot;"); break;
        default:
            if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
                rc = wfpw_buf_puts(b, "\xEF\xBF\xBD");
            else
                rc = wfpw_buf_putc(b, (char)*p);
        }
    }
    return rc;
}

/* <name>prefix+value</name>, or <name/> for NULL. Symbols get the prefix, GUIDs do not. */
static int leaf(struct wfpw_buf *b, const char *indent, const char *name, const char *prefix, const char *value)
{
    int rc;
    if (value == NULL)
        return wfpw_buf_printf(b, "%s<%s/>\n", indent, name);
    if ((rc = wfpw_buf_printf(b, "%s<%s>%s", indent, name, prefix && value[0] != '{' ? prefix : "")) != 0 ||
        (rc = esc(b, value)) != 0)
        return rc;
    return wfpw_buf_printf(b, "</%s>\n", name);
}

static int flag_list(struct wfpw_buf *b, const char *indent, const char *prefix, const char *const *flags, size_t n)
{
    size_t i;
    int rc;
    if (n == 0)
        return wfpw_buf_printf(b, "%s<flags/>\n", indent);
    if ((rc = wfpw_buf_printf(b, "%s<flags numItems=\"%zu\">\n", indent, n)) != 0)
        return rc;
    for (i = 0; i < n; i++) {
        char in2[16];
        snprintf(in2, sizeof(in2), "%s\t", indent);
        if ((rc = leaf(b, in2, "item", prefix, flags[i])) != 0)
            return rc;
    }
    return wfpw_buf_printf(b, "%s</flags>\n", indent);
}

static int display(struct wfpw_buf *b, const char *indent, const char *name, const char *desc)
{
    char in2[16];
    int rc;
    snprintf(in2, sizeof(in2), "%s\t", indent);
    if ((rc = wfpw_buf_printf(b, "%s<displayData>\n", indent)) != 0 || (rc = leaf(b, in2, "name", NULL, name)) != 0 ||
        (rc = leaf(b, in2, "description", NULL, desc)) != 0)
        return rc;
    return wfpw_buf_printf(b, "%s</displayData>\n", indent);
}

/* <name><type>FWP_TYPE</type><uint64>value</uint64></name>: the value element is one of the
 * two the reader knows, whatever the (reader-kept) type text says */
static int weight(struct wfpw_buf *b, const char *name, const char *type, const char *value)
{
    int rc;
    if ((rc = wfpw_buf_printf(b, "\t\t\t\t\t<%s>\n", name)) != 0 ||
        (rc = leaf(b, "\t\t\t\t\t\t", "type", "FWP_", type)) != 0)
        return rc;
    if (value && (rc = leaf(b, "\t\t\t\t\t\t", strcmp(type, "UINT8") == 0 ? "uint8" : "uint64", NULL, value)) != 0)
        return rc;
    return wfpw_buf_printf(b, "\t\t\t\t\t</%s>\n", name);
}

static int filter(struct wfpw_buf *b, const struct wfpw_filter *f)
{
    const char *in = "\t\t\t\t\t";
    size_t i;
    int rc;
    if ((rc = wfpw_buf_puts(b, "\t\t\t\t<item>\n")) != 0 || (rc = leaf(b, in, "filterKey", NULL, f->key)) != 0 ||
        (rc = display(b, in, f->name, f->description)) != 0 ||
        (rc = flag_list(b, in, "FWPM_FILTER_FLAG_", f->flags, f->nflags)) != 0 ||
        (rc = leaf(b, in, "providerKey", NULL, f->provider_key)) != 0 ||
        (rc = leaf(b, in, "layerKey", "FWPM_LAYER_", f->layer)) != 0 ||
        (rc = leaf(b, in, "subLayerKey", NULL, f->sublayer_key)) != 0 ||
        (rc = weight(b, "weight", f->weight_type ? f->weight_type : "EMPTY", f->weight_value)) != 0)
        return rc;
    if ((rc = wfpw_buf_printf(b, "%s<filterCondition numItems=\"%zu\">\n", in, f->nconds)) != 0)
        return rc;
    for (i = 0; i < f->nconds; i++) {
        const struct wfpw_cond *c = &f->conds[i];
        const char *in7 = "\t\t\t\t\t\t\t";
        if ((rc = wfpw_buf_puts(b, "\t\t\t\t\t\t<item>\n")) != 0 ||
            (rc = leaf(b, in7, "fieldKey", "FWPM_CONDITION_", c->field)) != 0 ||
            (rc = leaf(b, in7, "matchType", "FWP_MATCH_", c->match)) != 0 ||
            (rc = wfpw_buf_printf(b, "%s<conditionValue>\n", in7)) != 0 ||
            (rc = leaf(b, "\t\t\t\t\t\t\t\t", "type", "FWP_", c->type)) != 0 ||
            (rc = wfpw_buf_puts(b, "\t\t\t\t\t\t\t\t<value>\n")) != 0 ||
            (rc = leaf(b, "\t\t\t\t\t\t\t\t\t", "asString", NULL, c->value ? c->value : "")) != 0 ||
            (rc = wfpw_buf_printf(b, "\t\t\t\t\t\t\t\t</value>\n%s</conditionValue>\n\t\t\t\t\t\t</item>\n", in7)) != 0)
            return rc;
    }
    if ((rc = wfpw_buf_printf(b, "%s</filterCondition>\n%s<action>\n", in, in)) != 0 ||
        (rc = leaf(b, "\t\t\t\t\t\t", "type", "FWP_ACTION_", f->action)) != 0 ||
        (rc = leaf(b, "\t\t\t\t\t\t", "filterType", NULL, f->callout_key)) != 0 ||
        (rc = wfpw_buf_printf(b, "%s</action>\n", in)) != 0)
        return rc;
    if (f->provider_context_key && (rc = leaf(b, in, "providerContextKey", NULL, f->provider_context_key)) != 0)
        return rc;
    if ((rc = wfpw_buf_printf(b, "%s<filterId>%llu</filterId>\n", in, (unsigned long long)f->id)) != 0)
        return rc;
    if (f->effective_weight && (rc = weight(b, "effectiveWeight", "UINT64", f->effective_weight)) != 0)
        return rc;
    return wfpw_buf_puts(b, "\t\t\t\t</item>\n");
}

int wfpw_netsh_write(const struct wfpw_inventory *inv, const char *comment, struct wfpw_buf *b)
{
    size_t i;
    int rc;
    if ((rc = wfpw_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")) != 0)
        return rc;
    if (comment && strstr(comment, "--") == NULL && (rc = wfpw_buf_printf(b, "<!-- %s -->\n", comment)) != 0)
        return rc;
    if ((rc = wfpw_buf_printf(b, "<wfpstate>\n\t<layers numItems=\"1\">\n\t\t<item>\n\t\t\t<filters numItems=\"%zu\">\n",
                              inv->nfilters)) != 0)
        return rc;
    for (i = 0; i < inv->nfilters; i++)
        if ((rc = filter(b, &inv->filters[i])) != 0)
            return rc;
    if ((rc = wfpw_buf_printf(b, "\t\t\t</filters>\n\t\t\t<callouts numItems=\"%zu\">\n", inv->ncallouts)) != 0)
        return rc;
    for (i = 0; i < inv->ncallouts; i++) {
        const struct wfpw_callout *c = &inv->callouts[i];
        const char *in = "\t\t\t\t\t";
        if ((rc = wfpw_buf_puts(b, "\t\t\t\t<item>\n")) != 0 || (rc = leaf(b, in, "calloutKey", NULL, c->key)) != 0 ||
            (rc = display(b, in, c->name, NULL)) != 0 || (rc = leaf(b, in, "providerKey", NULL, c->provider_key)) != 0 ||
            (rc = leaf(b, in, "applicableLayer", "FWPM_LAYER_", c->layer)) != 0 ||
            (rc = wfpw_buf_puts(b, "\t\t\t\t</item>\n")) != 0)
            return rc;
    }
    if ((rc = wfpw_buf_printf(b, "\t\t\t</callouts>\n\t\t</item>\n\t</layers>\n\t<providers numItems=\"%zu\">\n",
                              inv->nproviders)) != 0)
        return rc;
    for (i = 0; i < inv->nproviders; i++) {
        const struct wfpw_provider *p = &inv->providers[i];
        const char *in = "\t\t\t";
        if ((rc = wfpw_buf_puts(b, "\t\t<item>\n")) != 0 || (rc = leaf(b, in, "providerKey", NULL, p->key)) != 0 ||
            (rc = display(b, in, p->name, p->description)) != 0 ||
            (rc = flag_list(b, in, "FWPM_PROVIDER_FLAG_", p->flags, p->nflags)) != 0 ||
            (rc = leaf(b, in, "serviceName", NULL, p->service)) != 0 || (rc = wfpw_buf_puts(b, "\t\t</item>\n")) != 0)
            return rc;
    }
    if ((rc = wfpw_buf_printf(b, "\t</providers>\n\t<subLayers numItems=\"%zu\">\n", inv->nsublayers)) != 0)
        return rc;
    for (i = 0; i < inv->nsublayers; i++) {
        const struct wfpw_sublayer *s = &inv->sublayers[i];
        const char *in = "\t\t\t";
        if ((rc = wfpw_buf_puts(b, "\t\t<item>\n")) != 0 || (rc = leaf(b, in, "subLayerKey", NULL, s->key)) != 0 ||
            (rc = display(b, in, s->name, s->description)) != 0 ||
            (rc = leaf(b, in, "providerKey", NULL, s->provider_key)) != 0 ||
            (rc = wfpw_buf_printf(b, "%s<weight>%u</weight>\n\t\t</item>\n", in, (unsigned)s->weight)) != 0)
            return rc;
    }
    return wfpw_buf_puts(b, "\t</subLayers>\n</wfpstate>\n");
}
