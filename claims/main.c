#include "claims/cli.h"
int main(int argc, char **argv) { return hk_main(argc, argv); }
