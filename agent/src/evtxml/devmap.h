/*
 * devmap.h — NT device paths to drive-letter paths ("\device\harddiskvolume3\windows\..." ->
 * "C:\windows\..."), the way the Security log's `Application` field is turned into the path
 * an analyst knows. The table comes from QueryDosDevice (platform layer) as "C:=\Device\
 * HarddiskVolume3" lines; this half parses it and maps, case-insensitively, by whole path
 * component (\device\harddiskvolume1 never matches \device\harddiskvolume10), the longest
 * device winning. A path with no mapping is kept as the device path.
 */
#ifndef WFPW_DEVMAP_H
#define WFPW_DEVMAP_H

#include <stddef.h>

#define WFPW_DEVMAP_MAX 64

struct wfpw_devmap {
    struct {
        char drive[4];       /* "C:" */
        char device[96];     /* "\device\harddiskvolume3", lower-case */
        size_t len;
    } e[WFPW_DEVMAP_MAX];
    size_t n;
};

/* Parse "X:=\Device\Name\n..." (other lines ignored); 0, or WFPW_ESYNTAX naming the line. */
int wfpw_devmap_parse(struct wfpw_devmap *m, const char *text, char *err, size_t errlen);
/* 0 with the drive path in out, WFPW_ENOENT when no device matches, WFPW_ERANGE when out is short. */
int wfpw_devmap_map(const struct wfpw_devmap *m, const char *nt_path, char *out, size_t len);

#endif
