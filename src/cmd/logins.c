/* tlsready logins: not built yet (see the open issue). */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_logins(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tlsready logins: not implemented yet\n");
    return EXIT_USAGE;
}
