/* ld_run: one aisloader run (setup, workload, statistics, cleanup) for parsed and validated
 * parameters. Blocks until the run ends. Returns 0 or a negative AIS_E* code after printing
 * the reason to stderr; request errors during the run are statistics, not failures. */
#ifndef AIS_LD_RUN_H
#define AIS_LD_RUN_H

#include "loader/ld_flags.h"

int ld_run(ld_params_t *p);

#endif
