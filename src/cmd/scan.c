/* tlsready scan: not built yet (see the open issue). */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_scan(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tlsready scan: not implemented yet\n");
    return EXIT_USAGE;
}
