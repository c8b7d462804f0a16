/*
 * cli.h — helpers shared by the collector's commands: `--flag value` parsing and secrets.
 */
#ifndef WFPW_CLI_H
#define WFPW_CLI_H

#include <stdint.h>

/* Value of --flag in argv[from..], NULL if absent; *bad set when the flag has no value. */
const char *wfpw_cli_opt(int argc, char **argv, int from, const char *flag, int *bad);
/* 1 when every argument from `from` is one of flags (NULL-terminated), each with a value;
 * otherwise prints which argument is unexpected and returns 0. */
int wfpw_cli_only_flags(int argc, char **argv, int from, const char *const *flags);
/* prefix + 32 random bytes as base64url without padding into out (80 bytes). */
int wfpw_cli_new_secret(const char *prefix, char out[80]);

/* Write a listing to stdout and free it: the exit code for rc (0 or 1). */
struct wfpw_buf;
int wfpw_cli_print(int rc, struct wfpw_buf *b);

/* Open the PostgreSQL store at dsn (when not NULL), else create DATA when missing and open its
 * SQLite store; 1 (the exit code) after printing why. */
struct wfpw_store;
int wfpw_cli_open_store(const char *data, const char *dsn, struct wfpw_store **st);
/* A warning on stderr when a connection string given on the command line holds a password. */
void wfpw_cli_dsn_warn(const char *dsn);

#define WFPW_COLLECTOR_VERSION "0.1.0"

/* Print the usage; returns 2 (the exit code). */
int wfpw_cli_usage(void);
/* cli_admin.c */
int wfpw_cli_pki(int argc, char **argv);
int wfpw_cli_token(int argc, char **argv);
/* serve.c */
int wfpw_cli_serve(int argc, char **argv);
/* How often serve's maintenance timer fires for these settings (ms). */
struct wfpw_config;
uint64_t wfpw__serve_maintenance_ms(const struct wfpw_config *c);
/* cli_enroll.c */
int wfpw_cli_enroll_token(int argc, char **argv);
int wfpw_cli_cert(int argc, char **argv);
int wfpw_cli_migrate(int argc, char **argv);

#endif
