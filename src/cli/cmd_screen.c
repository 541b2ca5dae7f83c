/* Placeholder: replaced by the real `limen screen` command. */
#include "cli.h"

int limen_cli_screen(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    limen_cli_error("screen: not available yet");
    return LIMEN_EXIT_USAGE;
}
