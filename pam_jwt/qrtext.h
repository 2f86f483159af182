/* QR codes drawn in text, for the device flow at a terminal: the module's
 * conversation (pam_device.c) and the CLI's `pam-jwt login` (tools/qr.c).
 * libqrencode is loaded only when a code is drawn (dlopen), so the
 * greeters, sshd and sudo that load the module never map it. */
#ifndef PJ_QRTEXT_H
#define PJ_QRTEXT_H

#include <stddef.h>

/* Draw a QR symbol of width x width modules (data[y * width + x] & 1 is a
 * dark module, libqrencode's layout) as UTF-8 half blocks, two module
 * rows per text line, with a quiet zone of 2 modules around: light
 * modules are blocks in the terminal's foreground colour, dark ones are
 * blanks (for a light-on-dark terminal, as `qrencode -t UTF8`).  Every
 * line ends with '\n'.  Returns a malloc'ed string (the caller frees),
 * or NULL when out of memory or width is not 1..177. */
char *pj_qr_render(const unsigned char *data, int width);

/* text as a QR code (byte mode, error correction level L) drawn by
 * pj_qr_render, with libqrencode (libqrencode.so.4) loaded on first use.
 * NULL when the library is not installed, cannot encode text, or memory
 * runs out: the caller shows the text alone. */
char *pj_qr_text(const char *text);

#endif
