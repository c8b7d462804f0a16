/*
 * store_int.h — shared by the store's files only (store.c owns the connection and the schema
 * migrations; store_certs.c keeps the enrollment tables). Nothing else includes this.
 */
#ifndef WFPW_STORE_INT_H
#define WFPW_STORE_INT_H

#include <sqlite3.h>

struct wfpw_store;

/* The store's connection (borrowed). */
sqlite3 *wfpw__store_db(struct wfpw_store *st);

#endif
