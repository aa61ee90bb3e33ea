/* memtrim: rate-limited malloc_trim (see memtrim.h). State: the times of the last trims (atomic). */
#include "core/memtrim.h"

#include <malloc.h>
#include <stdatomic.h>

#include "core/util.h"

static _Atomic int64_t memtrim_last, memtrim_last_done;

void memtrim_after(size_t bytes, bool done)
{
	if (!done && bytes < MEMTRIM_MIN_BYTES)
		return;
	_Atomic int64_t *lp = done ? &memtrim_last_done : &memtrim_last;
	int64_t now = mono_ns(), last = atomic_load(lp);
	int64_t gap = (int64_t)(done ? MEMTRIM_DONE_MS : MEMTRIM_MIN_MS) * 1000000;
	if (now - last < gap || !atomic_compare_exchange_strong(lp, &last, now))
		return;
	malloc_trim(0);
}
