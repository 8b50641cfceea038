/* tlsready pcap: not built yet (see the open issue). */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_pcap(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "tlsready pcap: not implemented yet\n");
    return EXIT_USAGE;
}
