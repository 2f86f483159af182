/* Line-based files (configuration, mapping rules, revocation list). */
#ifndef PJ_TEXTLINE_H
#define PJ_TEXTLINE_H

#include <stddef.h>

/* The next line of [*p, end) that is neither blank nor a '#' comment,
 * with spaces, tabs and carriage returns trimmed at both ends.  Returns 1
 * and sets *s and *len (borrowed from the text); 0 at the end.  *p moves
 * past the line; *lineno counts every line read, blank ones included, so
 * errors can name the line. */
int pj_next_text_line(const char **p, const char *end, unsigned *lineno, const char **s,
                      size_t *len);

#endif
