/* tlsready endpoints: not built yet (see the open issue). */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_endpoints(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tlsready endpoints: not implemented yet\n");
    return EXIT_USAGE;
}
