/*
 * uuidgen.c — see uuidgen.h.
 */
#include "uuidgen.h"

#include "platform.h"

int wfpw_uuid_new(char *out)
{
    unsigned char rnd[16];
    int rc = wfpw__plat_random(rnd, sizeof(rnd));
    if (rc != 0)
        return rc;
    wfpw_uuid_format(rnd, out);
    return 0;
}
