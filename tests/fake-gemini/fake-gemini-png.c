/* fake-gemini-png.c: real, decodable PNG images without zlib
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "fake-gemini-private.h"

#include <string.h>

/* A deflate "stored" block holds at most this many bytes. */
#define STORED_BLOCK_MAX 65535

static guint32 crc_table[256];

static gpointer
init_crc_table (gpointer data)
{
  for (guint32 n = 0; n < 256; n++)
    {
      guint32 c = n;

      for (guint k = 0; k < 8; k++)
        c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      crc_table[n] = c;
    }

  return NULL;
}

static guint32
crc32_update (guint32       crc,
              const guint8 *data,
              gsize         len)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, init_crc_table, NULL);

  crc ^= 0xffffffffu;
  for (gsize i = 0; i < len; i++)
    crc = crc_table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);

  return crc ^ 0xffffffffu;
}

static void
append_be32 (GByteArray *array,
             guint32     value)
{
  guint8 b[4] = { value >> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff };

  g_byte_array_append (array, b, 4);
}

static void
append_chunk (GByteArray   *png,
              const char   *type,
              const guint8 *data,
              gsize         len)
{
  guint32 crc;

  append_be32 (png, len);
  g_byte_array_append (png, (const guint8 *) type, 4);
  if (len > 0)
    g_byte_array_append (png, data, len);

  crc = crc32_update (0, (const guint8 *) type, 4);
  crc = crc32_update (crc, data, len);
  append_be32 (png, crc);
}

/* Fills one scanline (filter byte 0, then RGB triples) with a pattern that
 * looks like a picture: a colour gradient, a disc and some grain. */
static void
fill_row (guint8  *row,
          guint    y,
          guint    width,
          guint    height,
          guint32  seed,
          guint32 *noise)
{
  guint hue = seed % 3;
  int cx = width / 2;
  int cy = height / 2;
  int r2 = (int) (MIN (width, height) / 3) * (int) (MIN (width, height) / 3);

  row[0] = 0;
  for (guint x = 0; x < width; x++)
    {
      guint8 *p = row + 1 + x * 3;
      int dx = (int) x - cx;
      int dy = (int) y - cy;
      guint8 grain;

      *noise ^= *noise << 13;
      *noise ^= *noise >> 17;
      *noise ^= *noise << 5;
      grain = *noise & 0x0f;

      p[0] = (guint8) ((x * 255) / MAX (width - 1, 1));
      p[1] = (guint8) ((y * 255) / MAX (height - 1, 1));
      p[2] = (guint8) (((seed * 37) & 0xff) ^ grain);

      if (dx * dx + dy * dy < r2)
        {
          p[hue] = 255 - grain;
          p[(hue + 1) % 3] = (guint8) (seed * 53);
        }
    }
}

GBytes *
fake_gemini_png_new (guint   width,
                     guint   height,
                     guint32 seed)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autoptr(GByteArray) png = NULL;
  g_autoptr(GByteArray) zdata = NULL;
  g_autofree guint8 *row = NULL;
  gsize row_len;
  gsize raw_len;
  gsize block_fill = 0;
  gsize block_start = 0;
  gsize written = 0;
  guint32 adler_a = 1;
  guint32 adler_b = 0;
  guint32 noise = seed * 2654435761u + 1;
  guint8 ihdr[13];

  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (width < (1u << 20) && height < (1u << 20), NULL);

  row_len = 1 + (gsize) width * 3;
  raw_len = row_len * height;
  row = g_malloc (row_len);

  zdata = g_byte_array_sized_new (raw_len + raw_len / STORED_BLOCK_MAX * 5 + 16);
  /* zlib header: deflate, 32 KiB window, no dictionary, fastest; (0x78 0x01) % 31 == 0 */
  g_byte_array_append (zdata, (const guint8 *) "\x78\x01", 2);

  for (guint y = 0; y < height; y++)
    {
      gsize done = 0;

      fill_row (row, y, width, height, seed, &noise);

      while (done < row_len)
        {
          gsize n;

          if (block_fill == 0)
            {
              guint8 header[5] = { 0, 0, 0, 0, 0 };

              block_start = zdata->len;
              g_byte_array_append (zdata, header, 5);
            }

          n = MIN (row_len - done, STORED_BLOCK_MAX - block_fill);
          g_byte_array_append (zdata, row + done, n);

          for (gsize i = 0; i < n; i++)
            {
              adler_a = (adler_a + row[done + i]) % 65521;
              adler_b = (adler_b + adler_a) % 65521;
            }

          done += n;
          block_fill += n;
          written += n;

          if (block_fill == STORED_BLOCK_MAX || written == raw_len)
            {
              guint8 *h = zdata->data + block_start;

              h[0] = written == raw_len ? 1 : 0; /* BFINAL, BTYPE = 00 (stored) */
              h[1] = block_fill & 0xff;
              h[2] = block_fill >> 8;
              h[3] = ~block_fill & 0xff;
              h[4] = (~block_fill >> 8) & 0xff;
              block_fill = 0;
            }
        }
    }

  append_be32 (zdata, (adler_b << 16) | adler_a);

  png = g_byte_array_sized_new (zdata->len + 64);
  g_byte_array_append (png, signature, sizeof signature);

  ihdr[0] = width >> 24;
  ihdr[1] = (width >> 16) & 0xff;
  ihdr[2] = (width >> 8) & 0xff;
  ihdr[3] = width & 0xff;
  ihdr[4] = height >> 24;
  ihdr[5] = (height >> 16) & 0xff;
  ihdr[6] = (height >> 8) & 0xff;
  ihdr[7] = height & 0xff;
  ihdr[8] = 8;  /* bit depth */
  ihdr[9] = 2;  /* colour type: RGB */
  ihdr[10] = 0; /* compression: deflate */
  ihdr[11] = 0; /* filter method */
  ihdr[12] = 0; /* no interlace */
  append_chunk (png, "IHDR", ihdr, sizeof ihdr);
  append_chunk (png, "IDAT", zdata->data, zdata->len);
  append_chunk (png, "IEND", NULL, 0);

  return g_byte_array_free_to_bytes (g_steal_pointer (&png));
}

GBytes *
fake_gemini_png_new_of_size (gsize   approx_bytes,
                             guint32 seed)
{
  const guint width = 1024;
  gsize row_len = 1 + width * 3;
  gsize height = MAX (approx_bytes / row_len, 1);

  return fake_gemini_png_new (width, MIN (height, (1u << 20) - 1), seed);
}
