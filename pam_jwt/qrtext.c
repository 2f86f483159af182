#include "config.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "qrtext.h"

#define QUIET 2

static int dark(const unsigned char *data, int width, int x, int y)
{
	if (x < 0 || y < 0 || x >= width || y >= width)
		return 0;
	return data[(size_t)y * (size_t)width + (size_t)x] & 1;
}

char *pj_qr_render(const unsigned char *data, int width)
{
	static const char *const glyph[4] = {
		"\xe2\x96\x88", /* both light: full block */
		"\xe2\x96\x80", /* top light, bottom dark: upper half */
		"\xe2\x96\x84", /* top dark, bottom light: lower half */
		" ", /* both dark */
	};
	size_t side, lines, n = 0;
	char *out;
	int x, y;

	if (data == NULL || width < 1 || width > 177)
		return NULL;
	side = (size_t)width + 2 * QUIET;
	lines = (side + 1) / 2;
	out = malloc(lines * (side * 3 + 1) + 1);
	if (out == NULL)
		return NULL;
	for (y = -QUIET; y < width + QUIET; y += 2) {
		for (x = -QUIET; x < width + QUIET; x++) {
			const char *g =
			        glyph[dark(data, width, x, y) * 2 + dark(data, width, x, y + 1)];
			size_t l = strlen(g);

			memcpy(out + n, g, l);
			n += l;
		}
		out[n++] = '\n';
	}
	out[n] = '\0';
	return out;
}

/* libqrencode is loaded when a code is drawn, not with the module: only a
 * device-flow login at a terminal needs it.  RTLD_NODELETE: it stays
 * mapped after dlclose, nothing is torn down under the host. */
char *pj_qr_text(const char *text)
{
	QRcode *(*encode)(const char *, int, QRecLevel);
	void (*release)(QRcode *);
	QRcode *q;
	char *out;
	void *lib = dlopen("libqrencode.so.4", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);

	if (lib == NULL)
		return NULL;
	*(void **)(&encode) = dlsym(lib, "QRcode_encodeString8bit");
	*(void **)(&release) = dlsym(lib, "QRcode_free");
	if (encode == NULL || release == NULL) {
		dlclose(lib);
		return NULL;
	}
	q = encode(text, 0, QR_ECLEVEL_L);
	out = q != NULL ? pj_qr_render(q->data, q->width) : NULL;
	if (q != NULL)
		release(q);
	dlclose(lib);
	return out;
}
