/*
 * jsoninv.h — an inventory from JSON: an array of proto v1 `filter` objects, or an object
 * with a "filters" array (the answer of the collector's GET /api/v1/hosts/{host}/filters).
 * Each filter is checked with the wire rules (wfpw_filter_validate) and errors name it:
 * "filters[3].layer: required field is missing". Also: reading any inventory file by its
 * first byte ('<' netsh XML, '{' or '[' JSON).
 */
#ifndef WFPW_JSONINV_H
#define WFPW_JSONINV_H

#include <stddef.h>

#include "inventory.h"

int wfpw_json_inventory_read(const char *data, size_t len, struct wfpw_inventory *inv, char *err, size_t errlen);
/* netsh XML or JSON, decided by the first non-blank byte. */
int wfpw_inventory_read_file(const char *path, struct wfpw_inventory *inv, char *err, size_t errlen);

#endif
