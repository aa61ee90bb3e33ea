/* hb: the heartbeat table (AIStore's keepalive heartBeat): when this node last heard from each
 * peer. The primary records every node (keepalives, answered probes); every other node records
 * the primary (answered keepalives, metasync and health probes from it). What a node "still
 * hears" decides whether it probes, whether it votes, and whether a primary is confirmed.
 * Thread-safe (one mutex); entries are never removed while the process runs (a few bytes per
 * node ever seen), hb_forget() drops one explicitly. */
#ifndef AIS_HB_H
#define AIS_HB_H

#include <stdbool.h>
#include <stdint.h>

void hb_heard(const char *id);              /* now (mono_ns) */
void hb_heard_at(const char *id, int64_t t); /* t = mono_ns(); never moves an entry back */
int64_t hb_last(const char *id);            /* mono_ns of the last hearing, 0 if never */
/* AIStore's TimedOut: never heard, or not within `interval_ns` */
bool hb_timed_out(const char *id, int64_t interval_ns);
void hb_forget(const char *id);

#endif
