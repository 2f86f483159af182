/* The device flow's verification URL as a QR code in the terminal, drawn
 * by pj_qr_render (pam_jwt/qrtext.h): UTF-8 half blocks, two module rows
 * per text line, as `qrencode -t UTF8` does.  The CLI links libqrencode;
 * the module loads it only when it draws a code. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <qrencode.h>

#include "client.h"
#include "qrtext.h"

int pjc_qr_print(FILE *f, const char *text)
{
	QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_L);
	char *s;

	if (q == NULL)
		return -1;
	s = pj_qr_render(q->data, q->width);
	QRcode_free(q);
	if (s == NULL)
		return -1;
	fputs(s, f);
	free(s);
	return 0;
}
