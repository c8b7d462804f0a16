/*
 * cli_enroll.c — the operator's enrollment commands:
 *   enroll-token create --data DIR [--ttl 30d] [--max-uses N] [--name NAME]
 *   enroll-token list --data DIR | enroll-token revoke --data DIR --id ID|NAME
 *   cert revoke --data DIR --pki DIR --agent AGENTID     (also accepts the id as last word)
 *   cert list --data DIR | cert crl --data DIR --pki DIR  (rewrite the CRL)
 * The serving collector reloads pki/ca.crl within seconds of `cert revoke`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pki/ca.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "wfpw/fileio.h"
#include "pki/pki.h"
#include "api/routes.h"
#include "store/revocations.h"
#include "store/store.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

static int usage_enroll(void)
{
    fprintf(stderr, "usage: wfpwatch-collector enroll-token create --data DIR [--ttl 30d|12h|90m|3600s] "
                    "[--max-uses N] [--name NAME]\n"
                    "       wfpwatch-collector enroll-token list --data DIR\n"
                    "       wfpwatch-collector enroll-token revoke --data DIR --id ID|NAME\n"
                    "       wfpwatch-collector cert revoke --data DIR --pki DIR --agent AGENTID\n"
                    "       wfpwatch-collector cert release --data DIR --agent AGENTID   (may enroll again with a new key)\n"
                    "       wfpwatch-collector cert list --data DIR\n"
                    "       wfpwatch-collector cert crl --data DIR --pki DIR\n");
    return 2;
}

/* "30d", "12h", "90m", "3600s" or plain seconds -> milliseconds; -1 when malformed. */
static int64_t parse_ttl(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    int64_t unit = 1000;
    if (end == s || v <= 0)
        return -1;
    if (*end == 'd')
        unit = 86400000, end++;
    else if (*end == 'h')
        unit = 3600000, end++;
    else if (*end == 'm')
        unit = 60000, end++;
    else if (*end == 's')
        end++;
    if (*end != '\0' || v > 3650LL * 86400000 / unit)
        return -1;
    return (int64_t)v * unit;
}

int wfpw_cli_enroll_token(int argc, char **argv)
{
    static const char *const flags[] = {"--data", "--dsn", "--ttl", "--max-uses", "--name", "--id", NULL};
    const char *data, *dsn, *ttl, *uses, *name, *id;
    struct wfpw_store *st;
    int bad = 0, rc;
    if (argc < 3 || !wfpw_cli_only_flags(argc, argv, 3, flags))
        return usage_enroll();
    data = wfpw_cli_opt(argc, argv, 3, "--data", &bad);
    dsn = wfpw_cli_opt(argc, argv, 3, "--dsn", &bad);
    ttl = wfpw_cli_opt(argc, argv, 3, "--ttl", &bad);
    uses = wfpw_cli_opt(argc, argv, 3, "--max-uses", &bad);
    name = wfpw_cli_opt(argc, argv, 3, "--name", &bad);
    id = wfpw_cli_opt(argc, argv, 3, "--id", &bad);
    if ((data == NULL && dsn == NULL) || bad)
        return usage_enroll();
    if (strcmp(argv[2], "create") == 0) {
        char token[80], hash[65];
        int64_t ttl_ms = ttl ? parse_ttl(ttl) : 30LL * 86400000, max_uses = 0;
        if (ttl_ms < 0) {
            fprintf(stderr, "wfpwatch-collector: --ttl: expected a duration such as 30d, 12h, 90m or 3600s\n");
            return 2;
        }
        if (uses) {
            char *end;
            max_uses = strtoll(uses, &end, 10);
            if (*end || max_uses < 1 || max_uses > 100000000) {
                fprintf(stderr, "wfpwatch-collector: --max-uses must be 1..100000000\n");
                return 2;
            }
        }
        if (name && (name[0] == '\0' || strlen(name) > 64)) {
            fprintf(stderr, "wfpwatch-collector: --name must be 1..64 characters\n");
            return 2;
        }
        if (wfpw_cli_open_store(data, dsn, &st) != 0)
            return 1;
        if (wfpw_cli_new_secret("wfpe_", token) != 0) {
            wfpw_store_close(st);
            fprintf(stderr, "wfpwatch-collector: random generator failed\n");
            return 1;
        }
        wfpw_token_hash(token, hash);
        rc = wfpw_store_enroll_token_add(st, hash, name, wfpw_now_ms() + ttl_ms, max_uses, wfpw_now_ms());
        wfpw_store_close(st);
        if (rc == WFPW_EEXIST) {
            fprintf(stderr, "wfpwatch-collector: an enrollment token named '%s' exists\n", name ? name : "");
            return 2;
        }
        if (rc) {
            fprintf(stderr, "wfpwatch-collector: cannot store the token: %s\n", wfpw_strerror(rc));
            return 1;
        }
        printf("%s\n", token);
        fprintf(stderr, "enrollment token %.12s created (valid %s%s%s); it is shown only now (only its SHA-256 is "
                        "stored)\n", hash, ttl ? ttl : "30d", uses ? ", uses " : "", uses ? uses : "");
        return 0;
    }
    if (strcmp(argv[2], "revoke") == 0 && (id || name)) {
        if (wfpw_cli_open_store(data, dsn, &st) != 0)
            return 1;
        rc = wfpw_store_enroll_token_revoke(st, id ? id : name, wfpw_now_ms());
        wfpw_store_close(st);
        if (rc == WFPW_ENOENT) {
            fprintf(stderr, "wfpwatch-collector: no active enrollment token '%s'\n", id ? id : name);
            return 2;
        }
        if (rc == 0)
            printf("revoked enrollment token %s\n", id ? id : name);
        return rc ? 1 : 0;
    }
    if (strcmp(argv[2], "list") == 0) {
        struct wfpw_buf b;
        if (wfpw_cli_open_store(data, dsn, &st) != 0)
            return 1;
        wfpw_buf_init(&b, 1 << 24);
        rc = wfpw_store_enroll_token_list(st, wfpw_now_ms(), &b);
        wfpw_store_close(st);
        return wfpw_cli_print(rc, &b);
    }
    return usage_enroll();
}

/* Rewrite pki/ca.crl from the store's revoked serials. */
static int write_crl(struct wfpw_store *st, const char *pki)
{
    struct wfpw_ca *ca = NULL;
    char err[512];
    size_t n = 0;
    int rc;
    if ((rc = wfpw_ca_load(pki, &ca, err, sizeof(err))) != 0) {
        fprintf(stderr, "wfpwatch-collector: %s\n", err);
        return rc;
    }
    rc = wfpw_revocations_publish(st, ca, pki, wfpw_now_ms(), &n, err, sizeof(err));
    if (rc)
        fprintf(stderr, "wfpwatch-collector: %s\n", err);
    else
        printf("wrote %s/ca.crl (%zu revoked certificates)\n", pki, n);
    wfpw_ca_free(ca);
    return rc;
}

int wfpw_cli_cert(int argc, char **argv)
{
    static const char *const flags[] = {"--data", "--dsn", "--pki", "--agent", NULL};
    const char *data, *dsn, *pki, *agent;
    struct wfpw_store *st;
    int bad = 0, rc, count = 0;
    if (argc < 3)
        return usage_enroll();
    /* `cert revoke|release AGENTID --data ...`: the id may come first */
    if ((strcmp(argv[2], "revoke") == 0 || strcmp(argv[2], "release") == 0) && argc > 3 && argv[3][0] != '-') {
        agent = argv[3];
        if (!wfpw_cli_only_flags(argc, argv, 4, flags))
            return usage_enroll();
    } else {
        if (!wfpw_cli_only_flags(argc, argv, 3, flags))
            return usage_enroll();
        agent = wfpw_cli_opt(argc, argv, 3, "--agent", &bad);
    }
    data = wfpw_cli_opt(argc, argv, 3, "--data", &bad);
    dsn = wfpw_cli_opt(argc, argv, 3, "--dsn", &bad);
    pki = wfpw_cli_opt(argc, argv, 3, "--pki", &bad);
    if ((data == NULL && dsn == NULL) || bad)
        return usage_enroll();
    if (strcmp(argv[2], "release") == 0 && agent) {
        if (wfpw_cli_open_store(data, dsn, &st) != 0)
            return 1;
        rc = wfpw_store_cert_release(st, agent, wfpw_now_ms());
        wfpw_store_close(st);
        if (rc == WFPW_ENOENT) {
            fprintf(stderr, "wfpwatch-collector: the store knows no certificate of agent '%s': it can enroll "
                            "without a release\n", agent);
            return 2;
        }
        if (rc == 0)
            printf("agent %s may enroll once with a new key (its earlier certificates stay valid until they "
                   "expire; revoke them with `cert revoke` if the key was stolen)\n", agent);
        return rc ? 1 : 0;
    }
    if (strcmp(argv[2], "list") == 0) {
        struct wfpw_buf b;
        if (wfpw_cli_open_store(data, dsn, &st) != 0)
            return 1;
        wfpw_buf_init(&b, 1 << 24);
        rc = wfpw_store_cert_list(st, &b);
        wfpw_store_close(st);
        return wfpw_cli_print(rc, &b);
    }
    if (pki == NULL)
        return usage_enroll();
    if (strcmp(argv[2], "crl") == 0) {
        if (wfpw_cli_open_store(data, dsn, &st) != 0)
            return 1;
        rc = write_crl(st, pki);
        wfpw_store_close(st);
        return rc ? 1 : 0;
    }
    if (strcmp(argv[2], "revoke") == 0 && agent) {
        char path[4096], serial[130];
        const char *extra = NULL;
        if (!wfpw_pki_name_valid(agent)) {
            fprintf(stderr, "wfpwatch-collector: '%s' is not an agent id\n", agent);
            return 2;
        }
        /* a certificate made by `pki issue` is not in the store: revoke it by its serial */
        snprintf(path, sizeof(path), "%s/agents/%s.crt", pki, agent);
        if (wfpw_file_exists(path) && wfpw_ca_cert_serial(path, serial, sizeof(serial)) == 0)
            extra = serial;
        if (wfpw_cli_open_store(data, dsn, &st) != 0)
            return 1;
        rc = wfpw_store_cert_revoke(st, agent, extra, wfpw_now_ms(), &count);
        if (rc == WFPW_ENOENT) {
            wfpw_store_close(st);
            fprintf(stderr, "wfpwatch-collector: no certificate of agent '%s' is known (none enrolled here, no %s): "
                            "nothing revoked\n", agent, path);
            return 2;
        }
        if (rc == 0)
            rc = write_crl(st, pki);
        wfpw_store_close(st);
        if (rc == 0)
            printf("revoked %d certificate%s of agent %s\n", count, count == 1 ? "" : "s", agent);
        return rc ? 1 : 0;
    }
    return usage_enroll();
}
