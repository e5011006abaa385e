/* starling-test-time.h: deadlines of tests that assert timings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sanitizer pass of build-aux/test-session.sh runs some timed tests
 * under AddressSanitizer, whose slowdown no target of the normal build is
 * meant for. It sets STARLING_TEST_TIME_SCALE (say 3), and only those
 * deadlines are multiplied by it; unset (the normal build), every target is
 * exactly what the test says.
 */

#pragma once

#include <glib.h>

static inline double
starling_test_time_scale (void)
{
  const char *value = g_getenv ("STARLING_TEST_TIME_SCALE");
  double scale = value != NULL ? g_ascii_strtod (value, NULL) : 1.0;

  return scale > 1.0 ? scale : 1.0;
}

/* @ms, scaled. */
static inline int
starling_test_scaled_ms (int ms)
{
  return (int) (ms * starling_test_time_scale ());
}
