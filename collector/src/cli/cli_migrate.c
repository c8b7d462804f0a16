/*
 * cli_migrate.c — `migrate --from sqlite:PATH --to postgres:DSN`: move a collector's SQLite
 * store (PATH: its data directory or its wfpwatch.db) into a new, empty PostgreSQL database
 * (store.h, wfpw_store_migrate): ids preserved, so SIEM cursors keep working. Stop the collector
 * first: what arrives during the copy would stay behind in the SQLite file.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"
#include "wfpw/errors.h"

static int usage(void)
{
    fprintf(stderr, "usage: wfpwatch-collector migrate --from sqlite:DATADIR|sqlite:FILE.db --to postgres:DSN\n");
    return 2;
}

int wfpw_cli_migrate(int argc, char **argv)
{
    static const char *const flags[] = {"--from", "--to", NULL};
    struct wfpw_store_opts src, dst;
    struct wfpw_store *from = NULL, *to = NULL;
    struct wfpw_migrate_count count[WFPW_MIGRATE_TABLES];
    char dir[4096], err[512];
    const char *f, *t;
    size_t i, n;
    int bad = 0, rc;
    if (!wfpw_cli_only_flags(argc, argv, 2, flags))
        return usage();
    f = wfpw_cli_opt(argc, argv, 2, "--from", &bad);
    t = wfpw_cli_opt(argc, argv, 2, "--to", &bad);
    if (bad || f == NULL || t == NULL)
        return usage();
    if (strncmp(f, "sqlite:", 7) != 0 || f[7] == '\0') {
        fprintf(stderr, "wfpwatch-collector: --from: expected sqlite:DATADIR or sqlite:FILE.db\n");
        return 2;
    }
    if (strncmp(t, "postgres:", 9) != 0 || t[9] == '\0') {
        fprintf(stderr, "wfpwatch-collector: --to: expected postgres:DSN (a libpq connection string or URI)\n");
        return 2;
    }
    /* the engine opens DATADIR/wfpwatch.db: a path to the file names its directory */
    snprintf(dir, sizeof(dir), "%s", f + 7);
    n = strlen(dir);
    if (n > 12 && strcmp(dir + n - 12, "/wfpwatch.db") == 0)
        dir[n - 12] = '\0';
    else if (n > 3 && strcmp(dir + n - 3, ".db") == 0) {
        fprintf(stderr, "wfpwatch-collector: --from: the store's file is DATADIR/wfpwatch.db\n");
        return 2;
    }
    memset(&src, 0, sizeof(src));
    memset(&dst, 0, sizeof(dst));
    src.readonly = 1; /* never created: a wrong path is an error, not a new empty store */
    dst.kind = WFPW_STORE_POSTGRES;
    dst.dsn = t + 9;
    wfpw_cli_dsn_warn(dst.dsn);
    if (wfpw_store_open(dir, &src, &from, err, sizeof(err)) != 0) {
        fprintf(stderr, "wfpwatch-collector: --from %s: %s\n", dir, err);
        return 1;
    }
    if (wfpw_store_open(NULL, &dst, &to, err, sizeof(err)) != 0) {
        fprintf(stderr, "wfpwatch-collector: --to: %s\n", err);
        wfpw_store_close(from);
        return 1;
    }
    memset(count, 0, sizeof(count));
    rc = wfpw_store_migrate(from, to, count, WFPW_MIGRATE_TABLES, err, sizeof(err));
    wfpw_store_close(from);
    wfpw_store_close(to);
    if (rc != 0) {
        fprintf(stderr, "wfpwatch-collector: migrate: %s (nothing was written)\n", err);
        return 1;
    }
    for (i = 0; i < WFPW_MIGRATE_TABLES; i++)
        if (count[i].table)
            printf("%-16s %lld rows\n", count[i].table, (long long)count[i].rows);
    printf("copied; serve with --store postgres --dsn DSN (SIEM cursors keep working)\n");
    return 0;
}
