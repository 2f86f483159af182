#include "config.h"

#include <string.h>

#include "textline.h"

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int pj_next_text_line(const char **p, const char *end, unsigned *lineno, const char **s,
                      size_t *len)
{
	while (*p < end) {
		const char *b = *p, *eol = memchr(b, '\n', (size_t)(end - b)), *e;

		if (eol == NULL)
			eol = end;
		*p = eol < end ? eol + 1 : end;
		(*lineno)++;
		while (b < eol && blank(*b))
			b++;
		e = eol;
		while (e > b && blank(e[-1]))
			e--;
		if (b == e || *b == '#')
			continue;
		*s = b;
		*len = (size_t)(e - b);
		return 1;
	}
	return 0;
}
