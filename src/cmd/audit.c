/* tlsready audit: not built yet (see the open issue). */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_audit(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tlsready audit: not implemented yet\n");
    return EXIT_USAGE;
}
