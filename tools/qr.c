/* The device flow's verification URL as a QR code in the terminal, drawn
 * with UTF-8 half blocks (two module rows per text line), as
 * `qrencode -t UTF8` does: light modules are blocks in the terminal's
 * foreground colour, dark modules are blanks, with a quiet zone around. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <qrencode.h>

#include "client.h"

#define QUIET 2

static int dark(const QRcode *q, int x, int y)
{
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return 0;
	return q->data[y * q->width + x] & 1;
}

int pjc_qr_print(FILE *f, const char *text)
{
	static const char *const glyph[4] = {
		"\xe2\x96\x88", /* both light: full block */
		"\xe2\x96\x80", /* top light, bottom dark: upper half */
		"\xe2\x96\x84", /* top dark, bottom light: lower half */
		" ", /* both dark */
	};
	QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_L);
	int x, y;

	if (q == NULL)
		return -1;
	for (y = -QUIET; y < q->width + QUIET; y += 2) {
		for (x = -QUIET; x < q->width + QUIET; x++)
			fputs(glyph[dark(q, x, y) * 2 + dark(q, x, y + 1)], f);
		fputc('\n', f);
	}
	QRcode_free(q);
	return 0;
}
