/*
 * test-deps.c — the agent's third-party libraries link and work: libcurl (with its TLS
 * backend), mbedTLS, expat, zlib, libuv and cJSON. Natively these are Debian's packages; in
 * the Windows build they are the static libraries deploy/windows/build-deps.sh cross-built
 * from Debian's sources, and this test runs as an .exe under Wine (the import check then
 * shows none of them is a DLL).
 */
#include <curl/curl.h>
#include <expat.h>
#include <mbedtls/sha256.h>
#include <uv.h>
#include <zlib.h>

#include "../runner.h"
#include "wfpw/json.h"

struct xml_state {
    int elements;
    char last[32];
};

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    struct xml_state *s = ud;
    (void)attrs;
    s->elements++;
    snprintf(s->last, sizeof(s->last), "%s", name);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    (void)ud;
    (void)name;
}

TEST_IMPL(deps_link_and_work)
{
    /* libcurl: HTTP(S) support through a TLS backend */
    curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
    const char *const *proto;
    int https = 0;
    ASSERT(cv != NULL && cv->ssl_version != NULL);
    for (proto = cv->protocols; *proto; proto++)
        https |= strcmp(*proto, "https") == 0;
    ASSERT(https);
    ASSERT(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
    curl_global_cleanup();

    /* mbedTLS: SHA-256("abc") from FIPS 180-2 */
    {
        static const unsigned char want[4] = {0xba, 0x78, 0x16, 0xbf};
        unsigned char d[32];
        ASSERT(mbedtls_sha256_ret((const unsigned char *)"abc", 3, d, 0) == 0);
        ASSERT(memcmp(d, want, 4) == 0 && d[31] == 0xad);
    }

    /* expat: a netsh-shaped document */
    {
        static const char doc[] = "<wfpdiag><filters><item><filterKey>{x}</filterKey></item></filters></wfpdiag>";
        struct xml_state s = {0, ""};
        XML_Parser p = XML_ParserCreate("UTF-8");
        ASSERT(p != NULL);
        XML_SetUserData(p, &s);
        XML_SetElementHandler(p, on_start, on_end);
        ASSERT(XML_Parse(p, doc, (int)sizeof(doc) - 1, 1) == XML_STATUS_OK);
        ASSERT_EQ(s.elements, 4);
        ASSERT_STR_EQ(s.last, "filterKey");
        XML_ParserFree(p);
    }

    /* zlib: gzip-compatible round trip */
    {
        static const char text[] = "wfpwatch wfpwatch wfpwatch wfpwatch wfpwatch";
        unsigned char z[128], back[128];
        uLongf zl = sizeof(z), bl = sizeof(back);
        ASSERT(compress2(z, &zl, (const Bytef *)text, sizeof(text), 9) == Z_OK);
        ASSERT(zl < sizeof(text));
        ASSERT(uncompress(back, &bl, z, zl) == Z_OK);
        ASSERT_EQ(bl, sizeof(text));
        ASSERT_STR_EQ((const char *)back, text);
    }

    /* libuv: a loop with a timer */
    {
        uv_loop_t loop;
        uv_timer_t t;
        ASSERT(uv_loop_init(&loop) == 0);
        ASSERT(uv_timer_init(&loop, &t) == 0);
        uv_close((uv_handle_t *)&t, NULL);
        ASSERT(uv_run(&loop, UV_RUN_DEFAULT) == 0);
        ASSERT(uv_loop_close(&loop) == 0);
    }

    /* cJSON: the parser under wfpw_json */
    ASSERT(strlen(cJSON_Version()) > 0);
    return 0;
}
