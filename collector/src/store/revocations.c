/*
 * revocations.c — publish the store's revocations as the CA's CRL (revocations.h).
 */
#include "store/revocations.h"

#include <stdio.h>

#include "pki/ca.h"
#include "store/store.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"

int wfpw_revocations_publish(struct wfpw_store *st, struct wfpw_ca *ca, const char *pkidir, int64_t now_ms,
                             size_t *n, char *err, size_t errlen)
{
    char **serials = NULL;
    int64_t *when = NULL;
    size_t i;
    int rc;
    *n = 0;
    if ((rc = wfpw_store_revoked_serials(st, &serials, &when, n)) != 0)
        snprintf(err, errlen, "cannot read the revoked certificates: %s", wfpw_strerror(rc));
    else
        rc = wfpw_ca_write_crl(ca, pkidir, (const char *const *)serials, when, *n, now_ms, err, errlen);
    for (i = 0; i < *n; i++)
        wfpw_free(serials[i]);
    wfpw_free(serials);
    wfpw_free(when);
    return rc;
}
