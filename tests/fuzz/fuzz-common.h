/* fuzz-common.h: what every libFuzzer target of Starling shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

/* libFuzzer's entry points, declared here for -Wmissing-prototypes. */
int LLVMFuzzerInitialize   (int            *argc,
                            char         ***argv);
int LLVMFuzzerTestOneInput (const guint8   *data,
                            size_t          size);

/* Sanitizer defaults for every run, also outside the meson test: stop at
 * the first undefined behaviour (the code is built with recoverable checks so
 * that a long local run can suppress a reported one, see long-run.sh). */
const char *__ubsan_default_options (void);
const char *__asan_default_options (void);

const char *
__ubsan_default_options (void)
{
  return "halt_on_error=1:print_stacktrace=1:print_summary=1";
}

const char *
__asan_default_options (void)
{
  return "detect_leaks=1:print_summary=1";
}

/* A failed check is a crash, so libFuzzer saves the input that caused it. */
#define FUZZ_CHECK(cond)                                                    \
  G_STMT_START {                                                            \
    if (G_UNLIKELY (!(cond)))                                               \
      {                                                                     \
        fprintf (stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,  \
                 #cond);                                                    \
        abort ();                                                           \
      }                                                                     \
  } G_STMT_END

/* A check for a bug that was reported but is not fixed yet (README.md lists
 * them): it fails like FUZZ_CHECK() unless the comma-separated list in
 * STARLING_FUZZ_TOLERATE names it, so that long local runs can look for
 * other bugs meanwhile. The meson test never tolerates anything. */
static inline gboolean
fuzz_tolerated (const char *id)
{
  static char **tolerated;
  static gboolean loaded;

  if (!loaded)
    {
      const char *list = g_getenv ("STARLING_FUZZ_TOLERATE");

      tolerated = list != NULL ? g_strsplit (list, ",", -1) : NULL;
      loaded = TRUE;
    }

  return tolerated != NULL && g_strv_contains ((const char * const *) tolerated, id);
}

#define FUZZ_CHECK_KNOWN(id, cond)                                          \
  G_STMT_START {                                                            \
    if (G_UNLIKELY (!(cond)) && !fuzz_tolerated (id))                       \
      {                                                                     \
        fprintf (stderr, "%s:%d: check failed (known bug %s): %s\n",        \
                 __FILE__, __LINE__, id, #cond);                            \
        abort ();                                                           \
      }                                                                     \
  } G_STMT_END

/* The libraries promise never to warn on bad input: a warning or a critical
 * (a g_return_if_fail() that tripped) is a bug. Debug messages are dropped,
 * they would only slow the fuzzer down. */
static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  if ((log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) == 0)
    return G_LOG_WRITER_HANDLED;

  g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
  abort ();
}

static inline void
fuzz_init_logging (void)
{
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
}

/* A tiny, reproducible source of "random" numbers from bytes of the input. */
static inline guint32
fuzz_next (guint32 *state)
{
  guint32 x = *state != 0 ? *state : 0x9E3779B9u;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;

  return x;
}

/* Reads the input front to back; reading past its end yields zeros. */
typedef struct
{
  const guint8 *data;
  size_t        size;
  size_t        pos;
} FuzzReader;

static inline guint8
fuzz_read_u8 (FuzzReader *r)
{
  return r->pos < r->size ? r->data[r->pos++] : 0;
}

static inline guint16
fuzz_read_u16 (FuzzReader *r)
{
  guint16 lo = fuzz_read_u8 (r);

  return lo | (guint16) (fuzz_read_u8 (r) << 8);
}

static inline guint32
fuzz_read_u32 (FuzzReader *r)
{
  guint32 lo = fuzz_read_u16 (r);

  return lo | ((guint32) fuzz_read_u16 (r) << 16);
}

/* Up to @len bytes (fewer at the end of the input), as a pointer into it. */
static inline const guint8 *
fuzz_read_bytes (FuzzReader *r,
                 size_t      len,
                 size_t     *out_len)
{
  const guint8 *p = r->data + r->pos;

  len = MIN (len, r->size - r->pos);
  r->pos += len;
  *out_len = len;

  return p;
}

/* Is @needle a subsequence of @haystack (its bytes in order, others between)? */
static inline gboolean
fuzz_is_subsequence (const char *needle,
                     gsize       needle_len,
                     const char *haystack,
                     gsize       haystack_len)
{
  gsize i = 0;

  for (gsize j = 0; j < haystack_len && i < needle_len; j++)
    if (haystack[j] == needle[i])
      i++;

  return i == needle_len;
}
