/*
 * inv-helpers.h — shared helpers of the detection tests.
 */
#ifndef WFPW_TEST_INV_HELPERS_H
#define WFPW_TEST_INV_HELPERS_H

#include <stddef.h>

#include "inventory.h"

/* The first filter of inv with this display name, or NULL. */
const struct wfpw_filter *test_filter_by_name(const struct wfpw_inventory *inv, const char *name);

/* 0 when a and b hold the same objects in the same order; else 1 with the first difference
 * ("filters[3].conds[0].value: 'x' != 'y'") in why. Flags named in skip_flags (NULL-terminated,
 * may be NULL) are left out of the comparison. */
int test_inventory_diff(const struct wfpw_inventory *a, const struct wfpw_inventory *b, const char *const *skip_flags,
                        char *why, size_t len);

#endif
