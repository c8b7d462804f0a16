/*
 * openapi.h — the REST API's OpenAPI 3.1 description, docs/api/openapi.yaml, as compact JSON
 * (generated at build time by collector/tools/openapi2c.py), served at GET /api/v1/openapi.json.
 * Static, read-only data: no owner.
 */
#ifndef WFPW_OPENAPI_H
#define WFPW_OPENAPI_H

#include <stddef.h>

extern const char wfpw_openapi_json[];   /* NUL-terminated */
extern const size_t wfpw_openapi_json_len;

#endif
