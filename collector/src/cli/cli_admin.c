/*
 * cli_admin.c — the operator's commands for the development PKI and the API tokens:
 *   pki init --dir DIR [--server-name NAME]...
 *   pki issue --dir DIR --name AGENT [--days N] [--not-before T --not-after T]
 *   token create|list|revoke --data DIR [--name NAME]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/routes.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "pki/pki.h"
#include "store/store.h"
#include "wfpw/buf.h"
#include "wfpw/errors.h"

int wfpw_cli_pki(int argc, char **argv)
{
    char err[512];
    int bad = 0, rc;
    const char *dir;
    if (argc < 3)
        return wfpw_cli_usage();
    dir = wfpw_cli_opt(argc, argv, 3, "--dir", &bad);
    if (strcmp(argv[2], "init") == 0) {
        static const char *const flags[] = {"--dir", "--server-name", NULL};
        const char *names[32];
        size_t n = 0;
        int i;
        if (!wfpw_cli_only_flags(argc, argv, 3, flags) || dir == NULL || bad)
            return wfpw_cli_usage();
        for (i = 3; i + 1 < argc; i += 2)
            if (strcmp(argv[i], "--server-name") == 0 && n < 32)
                names[n++] = argv[i + 1];
        if (n == 0)
            names[n++] = "localhost";
        rc = wfpw_pki_init(dir, names, n, err, sizeof(err));
        if (rc) {
            fprintf(stderr, "wfpwatch-collector: pki init: %s\n", err);
            return rc == WFPW_EEXIST || rc == WFPW_EINVAL ? 2 : 1;
        }
        printf("created %s/ca.crt, ca.key, server.crt, server.key\n", dir);
        return 0;
    }
    if (strcmp(argv[2], "issue") == 0) {
        static const char *const flags[] = {"--dir", "--name", "--days", "--not-before", "--not-after", NULL};
        const char *name = wfpw_cli_opt(argc, argv, 3, "--name", &bad), *days = wfpw_cli_opt(argc, argv, 3, "--days", &bad);
        int d = 365;
        if (!wfpw_cli_only_flags(argc, argv, 3, flags) || dir == NULL || name == NULL || bad)
            return wfpw_cli_usage();
        if (days) {
            char *end;
            long v = strtol(days, &end, 10);
            if (*end || v < 1 || v > 3650) {
                fprintf(stderr, "wfpwatch-collector: --days must be 1..3650\n");
                return 2;
            }
            d = (int)v;
        }
        rc = wfpw_pki_issue(dir, name, d, wfpw_cli_opt(argc, argv, 3, "--not-before", &bad),
                            wfpw_cli_opt(argc, argv, 3, "--not-after", &bad), err, sizeof(err));
        if (rc) {
            fprintf(stderr, "wfpwatch-collector: pki issue: %s\n", err);
            return rc == WFPW_EINVAL || rc == WFPW_EEXIST ? 2 : 1;
        }
        printf("created %s/agents/%s.crt and %s.key\n", dir, name, name);
        return 0;
    }
    return wfpw_cli_usage();
}

int wfpw_cli_token(int argc, char **argv)
{
    static const char *const flags[] = {"--data", "--dsn", "--name", NULL};
    struct wfpw_store *st;
    int bad = 0, rc;
    const char *data, *dsn, *name;
    if (argc < 3 || !wfpw_cli_only_flags(argc, argv, 3, flags))
        return wfpw_cli_usage();
    data = wfpw_cli_opt(argc, argv, 3, "--data", &bad);
    dsn = wfpw_cli_opt(argc, argv, 3, "--dsn", &bad);
    name = wfpw_cli_opt(argc, argv, 3, "--name", &bad);
    if ((data == NULL && dsn == NULL) || bad)
        return wfpw_cli_usage();
    if (wfpw_cli_open_store(data, dsn, &st) != 0)
        return 1;
    if (strcmp(argv[2], "create") == 0 && name) {
        char token[80], hash[65];
        if (name[0] == '\0' || strlen(name) > 64) {
            fprintf(stderr, "wfpwatch-collector: --name must be 1..64 characters\n");
            wfpw_store_close(st);
            return 2;
        }
        if (wfpw_cli_new_secret("wfpw_", token) != 0) {
            fprintf(stderr, "wfpwatch-collector: random generator failed\n");
            wfpw_store_close(st);
            return 1;
        }
        wfpw_token_hash(token, hash);
        rc = wfpw_store_token_add(st, name, hash, wfpw_now_ms());
        wfpw_store_close(st);
        if (rc == WFPW_EEXIST) {
            fprintf(stderr, "wfpwatch-collector: a token named '%s' exists\n", name);
            return 2;
        }
        if (rc) {
            fprintf(stderr, "wfpwatch-collector: cannot store the token: %s\n", wfpw_strerror(rc));
            return 1;
        }
        printf("%s\n", token);
        fprintf(stderr, "token '%s' created; it is shown only now (only its SHA-256 is stored)\n", name);
        return 0;
    }
    if (strcmp(argv[2], "revoke") == 0 && name) {
        rc = wfpw_store_token_revoke(st, name, wfpw_now_ms());
        wfpw_store_close(st);
        if (rc == WFPW_ENOENT) {
            fprintf(stderr, "wfpwatch-collector: no active token named '%s'\n", name);
            return 2;
        }
        if (rc == 0)
            printf("revoked %s\n", name);
        return rc ? 1 : 0;
    }
    if (strcmp(argv[2], "list") == 0) {
        struct wfpw_buf b;
        wfpw_buf_init(&b, 1 << 24);
        rc = wfpw_store_token_list(st, &b);
        wfpw_store_close(st);
        return wfpw_cli_print(rc, &b);
    }
    wfpw_store_close(st);
    return wfpw_cli_usage();
}

