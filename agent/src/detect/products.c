/*
 * products.c — the security product table and matching (see products.h).
 */
#include "products.h"

#include <string.h>
#include <strings.h>

#include <uv.h>

#include "wfpw/utf8.h"

static const struct wfpw_product table[] = {
    {"msmpeng", "Microsoft Defender", NULL},
    {"mssense", "Microsoft Defender", NULL},
    {"senseir", "Microsoft Defender", NULL},
    {"sensendr", "Microsoft Defender", NULL},
    {"sensecncproxy", "Microsoft Defender", NULL},
    {"sensesampleuploader", "Microsoft Defender", NULL},
    {"mpcmdrun", "Microsoft Defender", NULL},
    {"winlogbeat", "Elastic", NULL},
    {"elastic-agent", "Elastic", NULL},
    {"elastic-endpoint", "Elastic", NULL},
    {"filebeat", "Elastic", NULL},
    {"endgame", "Elastic", NULL},
    {"xagt", "Trellix / FireEye", NULL},
    {"qualysagent", "Qualys", NULL},
    {"sentinelagent", "SentinelOne", NULL},
    {"sentinelagentworker", "SentinelOne", NULL},
    {"sentinelservicehost", "SentinelOne", NULL},
    {"sentinelstaticengine", "SentinelOne", NULL},
    {"logprocessorservice", "SentinelOne", NULL},
    {"sentinelstaticenginescanner", "SentinelOne", NULL},
    {"sentinelhelperservice", "SentinelOne", NULL},
    {"sentinelbrowsernativehost", "SentinelOne", NULL},
    {"sentinelmemoryscanner", "SentinelOne", NULL},
    {"sentinelremediation", "SentinelOne", NULL},
    {"sentinelremoteshell", "SentinelOne", NULL},
    {"sentinelremoteshellhost", "SentinelOne", NULL},
    {"sentinelscanfromcontextmenu", "SentinelOne", NULL},
    {"sentinelstaticenginepatcher", "SentinelOne", NULL},
    {"sentinelui", "SentinelOne", NULL},
    {"cylancesvc", "Cylance / BlackBerry", NULL},
    {"blackberryprotect", "Cylance / BlackBerry", NULL},
    {"amsvc", "Cybereason", NULL},
    {"cramtray", "Cybereason", NULL},
    {"crssvc", "Cybereason", NULL},
    {"executionpreventionsvc", "Cybereason", NULL},
    {"cybereasonav", "Cybereason", NULL},
    {"repmgr", "Carbon Black", NULL},
    {"reputils", "Carbon Black", NULL},
    {"repux", "Carbon Black", NULL},
    {"repwav", "Carbon Black", NULL},
    {"repwsc", "Carbon Black", NULL},
    {"cb", "Carbon Black EDR", "carbonblack"},
    {"taniumclient", "Tanium", NULL},
    {"taniumcx", "Tanium", NULL},
    {"taniumdetectengine", "Tanium", NULL},
    {"traps", "Palo Alto Cortex XDR", NULL},
    {"cyserver", "Palo Alto Cortex XDR", NULL},
    {"cyveraservice", "Palo Alto Cortex XDR", NULL},
    {"cyvrfsflt", "Palo Alto Cortex XDR", NULL},
    {"fortiedr", "Fortinet FortiEDR", NULL},
    {"sfc", "Cisco Secure Endpoint", "cisco"},
    {"eiconnector", "ESET", NULL},
    {"ekrn", "ESET", NULL},
    {"egui", "ESET", NULL},
    {"hurukai", "HarfangLab", NULL},
    {"cetasvc", "Trend Micro", NULL},
    {"wscommunicator", "Trend Micro", NULL},
    {"endpointbasecamp", "Trend Micro", NULL},
    {"tmlisten", "Trend Micro", NULL},
    {"ntrtscan", "Trend Micro", NULL},
    {"tmwscsvc", "Trend Micro", NULL},
    {"pccntmon", "Trend Micro", NULL},
    {"tmbmsrv", "Trend Micro", NULL},
    {"cntaosmgr", "Trend Micro", NULL},
    {"tmccsf", "Trend Micro", NULL},
    {"csfalconservice", "CrowdStrike Falcon", NULL},
    {"csfalconcontainer", "CrowdStrike Falcon", NULL},
    {"snac64", "Symantec / Broadcom", NULL},
    {"semlaunchsvc", "Symantec / Broadcom", NULL},
    {"semsvc", "Symantec / Broadcom", NULL},
    {"bridgeuploadersrv", "Symantec / Broadcom", NULL},
    {"sesmcontinst", "Symantec / Broadcom", NULL},
    {"lucatalog", "Symantec / Broadcom", NULL},
    {"lucallbackproxy", "Symantec / Broadcom", NULL},
    {"lucomserver_3_3", "Symantec / Broadcom", NULL},
    {"semapisrv", "Symantec / Broadcom", NULL},
    {"nlnhook", "Symantec / Broadcom", NULL},
    {"savui", "Symantec / Broadcom", NULL},
    {"sepliveupdate", "Symantec / Broadcom", NULL},
    {"smc", "Symantec / Broadcom", NULL},
    {"smcgui", "Symantec / Broadcom", NULL},
    {"symcorpui", "Symantec / Broadcom", NULL},
    {"symerr", "Symantec / Broadcom", NULL},
    {"ccsvchst", "Symantec / Broadcom", NULL},
    {"dwhwizrd", "Symantec / Broadcom", NULL},
    {"rtvstart", "Symantec / Broadcom", NULL},
    {"wscsavnotifier", "Symantec / Broadcom", NULL},
    {"symcloseui", "Symantec / Broadcom", NULL},
    {"migrateuserscans", "Symantec / Broadcom", NULL},
    {"sedservice", "Symantec / Broadcom", NULL},
    {"httpd", "Symantec / Broadcom", "symantec"},
    {"prunsrv", "Symantec / Broadcom", "symantec"},
    {"dbsrv16", "Symantec / Broadcom", "symantec"},
    {"dbisqlc", "Symantec / Broadcom", "symantec"},
    {"roru", "Symantec / Broadcom", "symantec"},
    {"devviewer", "Symantec / Broadcom", "symantec"},
    {"clientremote", "Symantec / Broadcom", "symantec"},
    {"autoexcl", "Symantec / Broadcom", "symantec"},
    {"doscan", "Symantec / Broadcom", "symantec"},
    {"klnagent", "Kaspersky", NULL},
    {"avp", "Kaspersky", NULL},
    {"kvrt", "Kaspersky", NULL},
    {"360ain", "Qihoo 360", NULL},
    {"360dump", "Qihoo 360", NULL},
    {"360insthelper", "Qihoo 360", NULL},
    {"360leakfix", "Qihoo 360", NULL},
    {"360leakrepair", "Qihoo 360", NULL},
    {"360netman", "Qihoo 360", NULL},
    {"360netrepair", "Qihoo 360", NULL},
    {"360rp", "Qihoo 360", NULL},
    {"360safe", "Qihoo 360", NULL},
    {"360safetray", "Qihoo 360", NULL},
    {"360sd", "Qihoo 360", NULL},
    {"360sdrun", "Qihoo 360", NULL},
    {"360sdtooldata", "Qihoo 360", NULL},
    {"360sdup", "Qihoo 360", NULL},
    {"360sec", "Qihoo 360", NULL},
    {"360secext", "Qihoo 360", NULL},
    {"360sptool", "Qihoo 360", NULL},
    {"360taskmgr", "Qihoo 360", NULL},
    {"360toasts", "Qihoo 360", NULL},
    {"360udisk", "Qihoo 360", NULL},
    {"zhudongfangyu", "Qihoo 360", NULL},
    {"softup.notify", "Qihoo 360", NULL},
    {"softmgr", "Qihoo 360", NULL},
    {"avastsvc", "Avast / AVG", NULL},
    {"avastui", "Avast / AVG", NULL},
    {"avgsvc", "Avast / AVG", NULL},
    {"avgui", "Avast / AVG", NULL},
    {"avgwdsvc", "Avast / AVG", NULL},
    {"vsserv", "Bitdefender", NULL},
    {"bdservicehost", "Bitdefender", NULL},
    {"savservice", "Sophos", NULL},
    {"savadminservice", "Sophos", NULL},
    {"sophosui", "Sophos", NULL},
    {"sophosfs", "Sophos", NULL},
    {"sophos ui", "Sophos", NULL},
    {"sophosfilescanner", "Sophos", NULL},
    {"sophoshealth", "Sophos", NULL},
    {"sophosips", "Sophos", NULL},
    {"sophoslivequeryservice", "Sophos", NULL},
    {"sophosnetfilter", "Sophos", NULL},
    {"sophosntpservice", "Sophos", NULL},
    {"sophososquery", "Sophos", NULL},
    {"sspservice", "Sophos", NULL},
    {"hmpalert", "Sophos", NULL},
    {"mcsagent", "Sophos", NULL},
    {"mcsclient", "Sophos", NULL},
    {"nortonsecurity", "Norton", NULL},
    {"mcshield", "McAfee / Trellix ENS", NULL},
    {"mfecanary", "McAfee / Trellix ENS", NULL},
    {"mfeann", "McAfee / Trellix ENS", NULL},
    {"mfeelam", "McAfee / Trellix ENS", NULL},
    {"mfeens", "McAfee / Trellix ENS", NULL},
    {"mfeesp", "McAfee / Trellix ENS", NULL},
    {"mfefire", "McAfee / Trellix ENS", NULL},
    {"mfehcs", "McAfee / Trellix ENS", NULL},
    {"mfehidin", "McAfee / Trellix ENS", NULL},
    {"mfetp", "McAfee / Trellix ENS", NULL},
    {"mbamservice", "Malwarebytes", NULL},
    {"wrsa", "Webroot", NULL},
    {"psanhost", "Panda", NULL},
    {"fsavgui", "F-Secure / WithSecure", NULL},
    {"fshoster32", "F-Secure / WithSecure", NULL},
    {"esensor", "Cynet", NULL},
    {"hipstray", "Huorong", NULL},
    {"hwsd", "Huawei", NULL},
    {"healthservice", "Microsoft Monitoring Agent", "monitoring agent"},
    {"monitoringhost", "Microsoft Monitoring Agent", "monitoring agent"},
};

const struct wfpw_product *wfpw_products(size_t *n)
{
    *n = sizeof(table) / sizeof(table[0]);
    return table;
}

/* Case-insensitive substring search. */
int wfpw_contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

/* length of s without a trailing ".exe" */
static size_t stem(const char *s)
{
    size_t n = strlen(s);
    return n > 4 && strcasecmp(s + n - 4, ".exe") == 0 ? n - 4 : n;
}

/* the file name of path and its length without ".exe" */
static const char *base_of(const char *path, size_t *stem_len)
{
    const char *base = path, *p;
    for (p = path; *p; p++)
        if (*p == '\\' || *p == '/')
            base = p + 1;
    *stem_len = stem(base);
    return base;
}


static int base_is(const char *base, size_t n, const char *name)
{
    /* first letters before lengths: most table entries differ there (this runs for every
     * blocked connection against every product); ASCII folding, not the locale's tolower,
     * which was a visible share of the agent's CPU */
    return n > 0 && wfpw_ascii_lower((unsigned char)base[0]) == wfpw_ascii_lower((unsigned char)name[0]) && n == stem(name) &&
           strncasecmp(base, name, n) == 0;
}

int wfpw_exe_is(const char *path, const char *name)
{
    size_t n;
    const char *base = base_of(path, &n);
    return base_is(base, n, name);
}

/* The table by first letter (ASCII-folded): a path is compared with the few products whose
 * name starts like its file name, not with all of them; built once. This runs for every
 * blocked connection. */
#define NTABLE (sizeof(table) / sizeof(table[0]))
static unsigned short by_letter[NTABLE];  /* table indexes, grouped by first letter, table order kept */
static unsigned short letter_start[257];  /* by_letter[letter_start[c] .. letter_start[c + 1]) */
static uv_once_t index_once = UV_ONCE_INIT;

static void build_index(void)
{
    size_t i, c, n = 0;
    for (c = 0; c < 256; c++) {
        letter_start[c] = (unsigned short)n;
        for (i = 0; i < NTABLE; i++)
            if ((size_t)wfpw_ascii_lower((unsigned char)table[i].exe[0]) == c)
                by_letter[n++] = (unsigned short)i;
    }
    letter_start[256] = (unsigned short)n;
}

const struct wfpw_product *wfpw_product_match(const char *path, const char *const *extra, size_t nextra)
{
    static const struct wfpw_product configured = {"(configured)", "configured by the operator", NULL};
    const char *base;
    size_t i, n;
    unsigned c;
    if (path == NULL || *path == '\0')
        return NULL;
    uv_once(&index_once, build_index);
    base = base_of(path, &n);
    c = (unsigned)wfpw_ascii_lower((unsigned char)base[0]);
    for (i = letter_start[c]; i < letter_start[c + 1]; i++) {
        const struct wfpw_product *t = &table[by_letter[i]];
        if (base_is(base, n, t->exe) && (t->path_hint == NULL || wfpw_contains_nocase(path, t->path_hint)))
            return t;
    }
    for (i = 0; i < nextra; i++)
        if (base_is(base, n, extra[i]))
            return &configured;
    return NULL;
}
