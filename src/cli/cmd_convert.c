/* Placeholder: replaced by the real `limen convert` command. */
#include "cli.h"

int limen_cli_convert(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    limen_cli_error("convert: not available yet");
    return LIMEN_EXIT_USAGE;
}
