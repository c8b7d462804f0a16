/*
 * main.c — wfpwatch-agent command line.
 *
 * Commands: `version`. The pipeline (`run`, `check-config`), the offline analyzer
 * (`analyze`), `parse-event` and `service` arrive with their issues; until then the agent
 * says plainly that a command does not exist rather than pretending.
 */
#include <stdio.h>
#include <string.h>

#include "platform.h"
#include "wfpw/proto.h"

#define WFPW_AGENT_VERSION "0.1.0"

static int usage(FILE *out)
{
    fprintf(out, "usage: wfpwatch-agent <command>\n"
                 "commands:\n"
                 "  version    print the agent version, platform and protocol\n");
    return out == stderr ? 2 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "version") == 0) {
        printf("wfpwatch-agent %s (%s) protocol %s\n", WFPW_AGENT_VERSION, wfpw__plat_name(),
               WFPW_PROTO_SCHEMA);
        return 0;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0)
        return usage(stdout);
    fprintf(stderr, "wfpwatch-agent: unknown command '%s'\n", argv[1]);
    return usage(stderr);
}
