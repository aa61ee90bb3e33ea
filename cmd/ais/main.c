/* ais: the aistore-c command-line tool (AIStore CLI-compatible); all logic lives in src/cli. */
#include "cli/cli.h"

int main(int argc, char **argv) { return cli_main(argc, argv); }
