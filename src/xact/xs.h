/* xs: the job kinds this build runs, one xs_<kind>.c each, referenced only by the kind table
 * (xact_table.c). Adding a kind: write xs_<kind>.c with its xact_ops_t, declare it here, and
 * point its row in xact_table.c at it. */
#ifndef AIS_XS_H
#define AIS_XS_H

#include "xact/xact.h"

extern const xact_ops_t xs_cleanup_ops;  /* cleanup-store (xs_cleanup.c) */
extern const xact_ops_t xs_resilver_ops; /* resilver (xs_resilver.c) */

#endif
