/* cli_fmt: the CLI's value formatting, matching AIStore CLI output byte for byte where it can:
 * IEC sizes ("30.49MiB", float32 math as AIStore's cos.ToSizeIEC), Go time.Duration strings
 * with AIStore's rounding ("2.01s", "526h28m20s", "892.015µs"), RFC822/RFC3339/clock stamps,
 * thousands separators ("28,230"). Pure functions: no state, no allocation (callers pass
 * buffers; outputs are always NUL-terminated and truncated to cap). */
#ifndef AIS_CLI_FMT_H
#define AIS_CLI_FMT_H

#include <stddef.h>
#include <stdint.h>

enum { CLI_UNITS_IEC = 0, CLI_UNITS_SI, CLI_UNITS_RAW };

/* "iec" (or ""), "si", "raw" → CLI_UNITS_*; -1 when invalid. */
int cli_fmt_units(const char *s);
/* size with units: IEC "1.50KiB", SI "1.54KB", raw "1536"; below 1 KiB "123B". */
const char *cli_fmt_size(int64_t b, int units, int digits, char *out, size_t cap);
/* Go's time.Duration.String() of ns, exactly. */
const char *cli_fmt_go_duration(int64_t ns, char *out, size_t cap);
/* AIStore's teb.FormatDuration: round to a magnitude-dependent multiple, then Go format. */
const char *cli_fmt_duration(int64_t ns, char *out, size_t cap);
/* local time of ns since epoch: RFC822 "02 Jan 06 15:04 MST" */
const char *cli_fmt_rfc822(int64_t ns, char *out, size_t cap);
/* local time RFC3339 "2006-01-02T15:04:05-07:00" */
const char *cli_fmt_rfc3339(int64_t ns, char *out, size_t cap);
/* local "15:04:05" (micro: "15:04:05.000000") */
const char *cli_fmt_clock(int64_t ns, int micro, char *out, size_t cap);
/* 1234567 → "1,234,567" */
const char *cli_fmt_bigint(int64_t v, char *out, size_t cap);
/* strictly positive/zero size with optional units ("1MiB", "4mb", "1048576"); 0 or -1. */
int cli_fmt_parse_size(const char *s, int64_t *out);

#endif
