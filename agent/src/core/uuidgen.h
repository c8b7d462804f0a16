/*
 * uuidgen.h — a new random (version 4) UUID from the platform's secure random source: batch
 * ids, change-set ids and generated agent ids all come from here, so a failing random source
 * is an error everywhere instead of an id made of uninitialised bytes.
 */
#ifndef WFPW_UUIDGEN_H
#define WFPW_UUIDGEN_H

#include "wfpw/proto.h"

/* Lower-case UUID text into out[WFPW_UUID_LEN + 1]; 0 or the platform's WFPW_E* error. */
int wfpw_uuid_new(char *out);

#endif
