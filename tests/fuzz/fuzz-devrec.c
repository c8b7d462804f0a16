/*
 * fuzz-devrec.c — libFuzzer driver for the driver record parser (agent/driver/shared/devrec.c)
 * and the record-to-event conversion: any bytes parse as a run of records until the first one
 * that is refused; every record accepted is canonical (encoding what was parsed gives back the
 * same bytes) and converts to a valid proto v1 event or to a message naming it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devrec.h"
#include "drvconv.h"
#include "wfpw/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t again[WFPW_DEV_RECORD_MAX];
    struct wfpw_devseq seq = {0, 0};
    size_t off = 0, used;
    while (off < size) {
        struct wfpw_devrec rec;
        struct wfpw_devrec_in in;
        struct wfpw_proto_err perr;
        char err[256] = "";
        int packet = -1;
        cJSON *ev;
        if (wfpw_devrec_parse(data + off, size - off, &rec, &used) != 0)
            break;
        if (used < WFPW_DEV_REC_HEADER || used > WFPW_DEV_RECORD_MAX || used > size - off)
            abort();
        memset(&in, 0, sizeof(in));
        in.time = rec.time, in.process_id = rec.process_id, in.filter_id = rec.filter_id, in.flags = rec.flags;
        in.discard_module = rec.discard_module, in.discard_reason = rec.discard_reason, in.layer_id = rec.layer_id;
        in.local_port = rec.local_port, in.remote_port = rec.remote_port, in.direction = rec.direction;
        in.ip_version = rec.ip_version, in.protocol = rec.protocol;
        memcpy(in.local_addr, rec.local_addr, 16), memcpy(in.remote_addr, rec.remote_addr, 16);
        in.path = rec.path, in.path_bytes = rec.path_bytes;
        /* a cut path is exactly the maximum (the parser refuses anything else); the encoder
         * sets the flag itself when it is given more */
        if (rec.flags & WFPW_DEV_F_PATH_TRUNCATED)
            in.path_bytes = WFPW_DEV_PATH_MAX + 2;
        if (wfpw_devrec_size(&in) != used)
            abort();
        wfpw_devrec_encode(&in, rec.seq, again);
        if (memcmp(again, data + off, used) != 0)
            abort();
        wfpw_devseq_next(&seq, rec.seq);
        ev = wfpw_drv_to_event(&rec, &packet, err, sizeof(err));
        if (ev == NULL) {
            if (err[0] == '\0')
                abort();
        } else {
            if (wfpw_event_validate(ev, "event", &perr) != 0 || (packet != 0 && packet != 1))
                abort();
            cJSON_Delete(ev);
        }
        off += used;
    }
    return 0;
}
