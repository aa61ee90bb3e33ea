/* ld_fmt: AIStore aisloader's human-readable number formats, pure functions writing into a
 * caller buffer: 1,234,567 counts; IEC sizes with one digit ("412.6MiB", "-" for 0); speeds
 * with two ("41.26MiB/s"); Go-style durations cut to 3 decimals ("4.399ms", "1m30.5s"). */
#ifndef AIS_LD_FMT_H
#define AIS_LD_FMT_H

#include <stddef.h>
#include <stdint.h>

char *ld_fmt_num(char *out, size_t cap, int64_t n);
char *ld_fmt_iec(char *out, size_t cap, int64_t b, int digits); /* "0B".."1.5GiB" */
char *ld_fmt_bytes(char *out, size_t cap, int64_t b);           /* "-" when <= 0, else IEC 1 digit */
char *ld_fmt_speed(char *out, size_t cap, int64_t bps);         /* "-" when <= 0, else IEC 2 digits + "/s" */
char *ld_fmt_dur(char *out, size_t cap, int64_t ns);
/* s left-aligned in a field of width characters (UTF-8 aware, as Go's %-Ns): out gets s plus
 * padding spaces */
char *ld_fmt_pad(char *out, size_t cap, const char *s, int width);
/* seconds since epoch -> "15:04:05" local time */
char *ld_fmt_clock(char *out, size_t cap);

#endif
