/* Placeholder: replaced by the real `limen paxlst` command. */
#include "cli.h"

int limen_cli_paxlst(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    limen_cli_error("paxlst: not available yet");
    return LIMEN_EXIT_USAGE;
}
