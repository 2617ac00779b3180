/* The Hawaii-scale generator of the load benchmark, built as a test tool too
 * (build/tools/gen_hawaii) so that the load tests can make their data. */
#include "../../bench/gen_hawaii.c"
