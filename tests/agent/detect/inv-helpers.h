/*
 * inv-helpers.h — shared helpers of the detection tests.
 */
#ifndef WFPW_TEST_INV_HELPERS_H
#define WFPW_TEST_INV_HELPERS_H

#include "inventory.h"

/* The first filter of inv with this display name, or NULL. */
const struct wfpw_filter *test_filter_by_name(const struct wfpw_inventory *inv, const char *name);

#endif
