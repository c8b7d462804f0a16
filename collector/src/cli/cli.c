/*
 * cli.c — helpers shared by the collector's commands (main.c, cli_enroll.c): flag parsing
 * and new secrets.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/base64.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/platform_util.h>

#include "wfpw/fileio.h"
#include "store/store.h"
#include "wfpw/buf.h"
#include "wfpw/errors.h"

/* value of --flag in argv[from..], NULL if absent; *bad set when the flag has no value */
const char *wfpw_cli_opt(int argc, char **argv, int from, const char *flag, int *bad)
{
    int i;
    for (i = from; i < argc; i++)
        if (strcmp(argv[i], flag) == 0) {
            if (i + 1 >= argc) {
                *bad = 1;
                return NULL;
            }
            return argv[i + 1];
        }
    return NULL;
}

/* every argument from `from` is one of the flags (each taking a value) */
int wfpw_cli_only_flags(int argc, char **argv, int from, const char *const *flags)
{
    int i;
    for (i = from; i < argc; i += 2) {
        const char *const *f;
        for (f = flags; *f; f++)
            if (strcmp(argv[i], *f) == 0)
                break;
        if (*f == NULL || i + 1 >= argc) {
            fprintf(stderr, "wfpwatch-collector: unexpected argument '%s'\n", argv[i]);
            return 0;
        }
    }
    return 1;
}

/* A new secret: prefix + 32 random bytes as base64url without padding (a recognisable prefix
 * helps secret scanners). out: at least 80 bytes. */
int wfpw_cli_new_secret(const char *prefix, char out[80])
{
    mbedtls_entropy_context ent;
    mbedtls_ctr_drbg_context drbg;
    unsigned char raw[32], b64[64];
    size_t olen = 0, i, o;
    int rc;
    mbedtls_entropy_init(&ent);
    mbedtls_ctr_drbg_init(&drbg);
    rc = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0) ||
         mbedtls_ctr_drbg_random(&drbg, raw, sizeof(raw)) ||
         mbedtls_base64_encode(b64, sizeof(b64), &olen, raw, sizeof(raw));
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&ent);
    mbedtls_platform_zeroize(raw, sizeof(raw));
    if (rc)
        return WFPW_EIO;
    o = (size_t)snprintf(out, 80, "%s", prefix);
    for (i = 0; i < olen && b64[i] != '=' && o < 79; i++)
        out[o++] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : (char)b64[i];
    out[o] = '\0';
    mbedtls_platform_zeroize(b64, sizeof(b64));
    return 0;
}


int wfpw_cli_print(int rc, struct wfpw_buf *b)
{
    if (b->len)
        fwrite(b->data, 1, b->len, stdout);
    wfpw_buf_free(b);
    return rc ? 1 : 0;
}

void wfpw_cli_dsn_warn(const char *dsn)
{
    const char *at, *scheme = strstr(dsn, "://");
    int uri_password = 0;
    if (scheme && (at = strchr(scheme + 3, '@')) != NULL) { /* postgresql://user:password@host */
        const char *colon = memchr(scheme + 3, ':', (size_t)(at - (scheme + 3)));
        uri_password = colon != NULL;
    }
    if (strstr(dsn, "password=") || uri_password)
        fprintf(stderr, "wfpwatch-collector: warning: the connection string on the command line holds a password, which "
                        "any local user can read in the process list: use libpq's password file (passfile=, ~/.pgpass) "
                        "or PGPASSWORD instead\n");
}

int wfpw_cli_open_store(const char *data, const char *dsn, struct wfpw_store **st)
{
    struct wfpw_store_opts so;
    char err[512];
    int rc;
    memset(&so, 0, sizeof(so));
    if (dsn) { /* --dsn: the PostgreSQL store (--data is then not used) */
        wfpw_cli_dsn_warn(dsn);
        so.kind = WFPW_STORE_POSTGRES;
        so.dsn = dsn;
    } else if ((rc = wfpw_dir_make_mode(data, 0700)) != 0) {
        fprintf(stderr, "wfpwatch-collector: cannot create %s: %s\n", data, wfpw_strerror(rc));
        return 1;
    }
    if (wfpw_store_open(data, &so, st, err, sizeof(err)) != 0) {
        fprintf(stderr, "wfpwatch-collector: %s\n", err);
        return 1;
    }
    return 0;
}

int wfpw_cli_usage(void)
{
    fprintf(stderr,
            "usage: wfpwatch-collector <command> [options]\n"
            "  pki init --dir DIR [--server-name NAME]...       create a CA and server certificate\n"
            "  pki issue --dir DIR --name AGENT [--days N] [--not-before YYYYMMDDHHMMSS --not-after ...]\n"
            "  (a command with --data DIR takes --dsn DSN instead for the PostgreSQL store)\n"
            "  token create --data DIR --name NAME             print a new API token (once)\n"
            "  token list --data DIR | token revoke --data DIR --name NAME\n"
            "  enroll-token create --data DIR [--ttl 30d] [--max-uses N] [--name NAME]   print an enrollment token\n"
            "  enroll-token list --data DIR | enroll-token revoke --data DIR --id ID\n"
            "  cert revoke AGENTID --data DIR --pki DIR | cert release AGENTID --data DIR\n"
            "  cert list --data DIR | cert crl --data DIR --pki DIR\n"
            "  migrate --from sqlite:DATADIR --to postgres:DSN   copy a SQLite store into a new PostgreSQL one\n"
            "  serve [--config FILE] [--listen HOST:PORT] [--data DIR] [--pki DIR] [--store sqlite|postgres|none]\n"
            "        [--dsn DSN] [--log-level L]\n"
            "  version\n");
    return 2;
}
