/* Placeholder: replaced by the real `limen mrz` command. */
#include "cli.h"

int limen_cli_mrz(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    limen_cli_error("mrz: not available yet");
    return LIMEN_EXIT_USAGE;
}
