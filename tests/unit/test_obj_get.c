/* obj_get: HTTP Range parsing as AIStore's parseMultiRange. */
#include <criterion/criterion.h>

#include "core/err.h"
#include "obj/obj_get.h"

Test(obj_get, ranges)
{
	int64_t o = -1, l = -1;
	cr_assert_eq(obj_get_range(NULL, 100, &o, &l), 0);
	cr_assert_eq(obj_get_range("", 100, &o, &l), 0);
	cr_assert_eq(obj_get_range("bytes=0-9", 100, &o, &l), 1);
	cr_assert(o == 0 && l == 10);
	cr_assert_eq(obj_get_range("bytes=90-", 100, &o, &l), 1);
	cr_assert(o == 90 && l == 10);
	cr_assert_eq(obj_get_range("bytes=-5", 100, &o, &l), 1);
	cr_assert(o == 95 && l == 5);
	cr_assert_eq(obj_get_range("bytes=-500", 100, &o, &l), 1);
	cr_assert(o == 0 && l == 100);
	cr_assert_eq(obj_get_range("bytes=50-1000", 100, &o, &l), 1);
	cr_assert(o == 50 && l == 50);
	cr_assert_eq(obj_get_range("bytes= 1 - 2 ", 100, &o, &l), 1);
	cr_assert(o == 1 && l == 2);
}

Test(obj_get, range_errors)
{
	int64_t o, l;
	cr_assert_eq(obj_get_range("bytes=100-", 100, &o, &l), AIS_ERANGE);
	cr_assert_eq(obj_get_range("bytes=200-300", 100, &o, &l), AIS_ERANGE);
	cr_assert_eq(obj_get_range("bytes=0-", 0, &o, &l), AIS_ERANGE);
	cr_assert_eq(obj_get_range("bytes=-0", 100, &o, &l), AIS_ERANGE);
	cr_assert_eq(obj_get_range("bytes=5-1", 100, &o, &l), AIS_EINVAL);
	cr_assert_eq(obj_get_range("bytes=a-1", 100, &o, &l), AIS_EINVAL);
	cr_assert_eq(obj_get_range("bytes=1", 100, &o, &l), AIS_EINVAL);
	cr_assert_eq(obj_get_range("bytes=-", 100, &o, &l), AIS_EINVAL);
	cr_assert_eq(obj_get_range("items=0-1", 100, &o, &l), AIS_EINVAL);
	cr_assert_eq(obj_get_range("bytes=0-1,5-6", 100, &o, &l), AIS_ENOTIMPL);
	/* a non-overlapping range next to a good one is ignored */
	cr_assert_eq(obj_get_range("bytes=0-1,500-600", 100, &o, &l), 1);
	cr_assert_eq(obj_get_range("bytes=99999999999999999999-", 100, &o, &l), AIS_EINVAL);
}
