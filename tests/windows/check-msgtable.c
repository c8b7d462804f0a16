/*
 * check-msgtable.c — renders the agent's Application log messages from wfpwatch-agent.exe's
 * message table the way Event Viewer does (the EventMessageFile the service registers, loaded
 * as a data file, FormatMessage with the entry's insertion strings), so an entry reads as the
 * agent's log line and not "The description for Event ID ... cannot be found".
 * Prints "ID: TEXT" per message id; exits 1 when one does not render.
 */
#include <windows.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    static const DWORD ids[] = {0xC0000001u, 0x40000002u, 0x80000003u}; /* error, info, warning */
    const char *insert[1] = {"agent line"};
    HMODULE m;
    size_t i;
    int bad = 0;
    if (argc != 2) {
        fprintf(stderr, "usage: check-msgtable wfpwatch-agent.exe\n");
        return 2;
    }
    if ((m = LoadLibraryExA(argv[1], NULL, LOAD_LIBRARY_AS_DATAFILE)) == NULL) {
        printf("cannot load %s: error %lu\n", argv[1], GetLastError());
        return 1;
    }
    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        char out[256];
        DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ARGUMENT_ARRAY, m, ids[i],
                                 MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), out, sizeof(out), (va_list *)insert);
        while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
            out[--n] = '\0';
        if (n == 0) {
            printf("0x%08lx: no message (error %lu)\n", ids[i], GetLastError());
            bad = 1;
        } else {
            printf("0x%08lx: %s\n", ids[i], out);
            bad |= strcmp(out, insert[0]) != 0;
        }
    }
    FreeLibrary(m);
    return bad;
}
