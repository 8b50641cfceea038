/* tlsready logs: not built yet (see the open issue). */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_logs(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tlsready logs: not implemented yet\n");
    return EXIT_USAGE;
}
