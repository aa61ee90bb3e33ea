/* memtrim: give freed heap back to the OS after a burst of big temporary allocations (list
 * pages: tens of MB of JSON trees and entries on whichever pool thread served them; glibc keeps
 * them in that thread's arena otherwise, and RSS stays at its peak). Rate-limited process-wide:
 * during a burst at most one malloc_trim per MEMTRIM_MIN_MS, at its end one per MEMTRIM_DONE_MS.
 * Thread-safe; may block for a few ms. */
#ifndef AIS_MEMTRIM_H
#define AIS_MEMTRIM_H

#include <stdbool.h>
#include <stddef.h>

#define MEMTRIM_MIN_BYTES ((size_t)1 << 20) /* smaller bursts are not worth a trim */
#define MEMTRIM_MIN_MS 1000 /* between two trims during a burst */
#define MEMTRIM_DONE_MS 100 /* ... and at the end of one (whatever its size) */

/* `bytes` of temporary memory were just freed: trim when that is much and the last trim is old;
 * `done` (the end of a burst, e.g. a listing's last page: nothing more will come to reuse what
 * the burst left in the arenas): trim whatever the size, unless one just ran */
void memtrim_after(size_t bytes, bool done);

#endif
