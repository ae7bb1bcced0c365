// asgard: parse argv, run the chosen role; everything else lives in src/.
#include "cli/commands.h"

int main(int argc, char** argv) { return asgard::cli::Main(argc, argv); }
