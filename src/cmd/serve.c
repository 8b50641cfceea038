/* tlsready serve: not built yet (see the open issue). */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_serve(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tlsready serve: not implemented yet\n");
    return EXIT_USAGE;
}
