/* nftw() needs the X/Open extensions. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "unit.h"

char *str_cat(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);

	if (s == NULL)
		FAILF("out of memory");
	memcpy(s, a, la);
	memcpy(s + la, b, lb + 1);
	return s;
}

char *fx_path(const char *name)
{
	const char *top = getenv("top_srcdir");
	char *dir, *p;

	if (top == NULL || top[0] == '\0')
		top = ".";
	dir = str_cat(top, "/tests/unit/fixtures/");
	p = str_cat(dir, name);
	free(dir);
	return p;
}

char *fx_read(const char *name, size_t *len)
{
	char *path = fx_path(name), *buf;
	FILE *f = fopen(path, "rb");
	long n = 0;

	if (f == NULL)
		FAILF("fixture %s: %s (is top_srcdir set?)", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		FAILF("fixture %s: cannot size", path);
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
		FAILF("fixture %s: cannot read", path);
	buf[n] = '\0';
	fclose(f);
	free(path);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

char *fx_line(const char *file, const char *name)
{
	char *text = fx_read(file, NULL), *p = text, *res = NULL;
	size_t nlen = strlen(name);

	while (*p != '\0') {
		char *eol = strchr(p, '\n');

		if (eol == NULL)
			eol = p + strlen(p);
		if ((size_t)(eol - p) > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == ' ') {
			size_t vlen = (size_t)(eol - p) - nlen - 1;

			res = malloc(vlen + 1);
			if (res == NULL)
				FAILF("out of memory");
			memcpy(res, p + nlen + 1, vlen);
			res[vlen] = '\0';
			break;
		}
		p = *eol != '\0' ? eol + 1 : eol;
	}
	free(text);
	if (res == NULL)
		FAILF("fixture %s has no line \"%s\"", file, name);
	return res;
}

char *fx_token(const char *name)
{
	return fx_line("tokens.txt", name);
}

unsigned char *fx_unb64(const char *s, size_t *len)
{
	size_t n = strlen(s), i, pad = (4 - n % 4) % 4;
	char *std = malloc(n + pad + 1);
	unsigned char *out = malloc(n / 4 * 3 + 3 + 1);
	int r;

	if (std == NULL || out == NULL)
		FAILF("out of memory");
	for (i = 0; i < n; i++)
		std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	for (i = 0; i < pad; i++)
		std[n + i] = '=';
	std[n + pad] = '\0';
	r = EVP_DecodeBlock(out, (const unsigned char *)std, (int)(n + pad));
	if (r < 0 || pad == 3)
		FAILF("fixture value is not base64url");
	*len = (size_t)r - pad;
	free(std);
	return out;
}

char *tmp_dir(void)
{
	const char *base = getenv("TMPDIR");
	char *tmpl, *dir;

	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	tmpl = str_cat(base, "/pj-unit-XXXXXX");
	dir = mkdtemp(tmpl);
	if (dir == NULL)
		FAILF("mkdtemp: %s", strerror(errno));
	return dir;
}

char *tmp_write(const char *dir, const char *name, const void *data, size_t len,
		mode_t mode)
{
	char *d = str_cat(dir, "/"), *path = str_cat(d, name);
	int fd;

	free(d);
	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || (len > 0 && write(fd, data, len) != (ssize_t)len) ||
	    fchmod(fd, mode) != 0 || close(fd) != 0)
		FAILF("cannot write %s: %s", path, strerror(errno));
	return path;
}

char *tmp_copy_fixture(const char *dir, const char *name)
{
	size_t len = 0;
	char *data = fx_read(name, &len);
	char *path = tmp_write(dir, name, data, len, 0600);

	free(data);
	return path;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void tmp_remove(char *dir)
{
	if (dir == NULL)
		return;
	(void)nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(dir);
}
