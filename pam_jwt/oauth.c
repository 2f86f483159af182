#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "oauth.h"
#include "pj_json.h"

static void form_put(struct pj_form *f, const char *s, size_t n)
{
	if (!f->oom && pj_buf_append(&f->buf, &f->len, &f->cap, s, n) != 0)
		f->oom = 1;
}

static void form_put_encoded(struct pj_form *f, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
			form_put(f, s, 1);
		} else {
			char enc[3] = { '%', hex[ch >> 4], hex[ch & 15] };

			form_put(f, enc, 3);
		}
	}
}

void pj_form_add(struct pj_form *f, const char *name, const char *value)
{
	if (f->len > 0)
		form_put(f, "&", 1);
	form_put_encoded(f, name);
	form_put(f, "=", 1);
	form_put_encoded(f, value);
}

void pj_form_free(struct pj_form *f)
{
	pj_free_secret(f->buf, f->cap);
	memset(f, 0, sizeof(*f));
}

/* A copy of string member name when it is non-empty printable ASCII (and
 * with https, an https URL); NULL otherwise. */
static char *shown_string(const struct json_object *doc, const char *name, int https)
{
	const char *s = NULL;
	size_t len = 0, i;

	if (pj_json_get_string(doc, name, &s, &len) != 1 || len == 0 || len > 2048)
		return NULL;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return NULL;
	if (https && (len <= 8 || strncmp(s, "https://", 8) != 0))
		return NULL;
	return strndup(s, len);
}

static int64_t int_member(const struct json_object *doc, const char *name, int64_t dflt,
                          int64_t min, int64_t max)
{
	int64_t v = 0;

	if (pj_json_get_date(doc, name, &v) != 1 || v < min || v > max)
		return dflt;
	return v;
}

enum pj_status pj_device_auth_read(const struct json_object *doc, long http_status,
                                   struct pj_device_auth *out, struct pj_err *err)
{
	const char *dc = NULL;
	size_t dclen = 0;
	char why[300];

	memset(out, 0, sizeof(*out));
	if (http_status != 200) {
		pj_oauth_error_text(doc, http_status, why, sizeof(why));
		return pj_fail(err, PJ_E_UNAVAILABLE, "the auth center refused to start (%s)", why);
	}
	if (pj_json_get_string(doc, "device_code", &dc, &dclen) != 1 || dclen == 0 ||
	    memchr(dc, '\0', dclen) != NULL)
		return pj_fail(err, PJ_E_UNAVAILABLE,
		               "the device authorization has no device_code");
	out->user_code = shown_string(doc, "user_code", 0);
	out->uri = shown_string(doc, "verification_uri", 1);
	if (out->uri == NULL) /* an older draft's name */
		out->uri = shown_string(doc, "verification_url", 1);
	out->uri_complete = shown_string(doc, "verification_uri_complete", 1);
	if (out->user_code == NULL || out->uri == NULL) {
		pj_device_auth_free(out);
		return pj_fail(err, PJ_E_UNAVAILABLE,
		               "the device authorization has no printable user_code or https "
		               "verification_uri");
	}
	if ((out->device_code = strndup(dc, dclen)) == NULL) {
		pj_device_auth_free(out);
		return pj_fail(err, PJ_E_NOMEM, "out of memory");
	}
	out->expires_in = int_member(doc, "expires_in", 600, 1, 3600);
	out->interval = int_member(doc, "interval", 5, 1, 300);
	return PJ_OK;
}

void pj_device_auth_free(struct pj_device_auth *a)
{
	if (a->device_code != NULL)
		pj_free_secret(a->device_code, strlen(a->device_code));
	free(a->user_code);
	free(a->uri);
	free(a->uri_complete);
	memset(a, 0, sizeof(*a));
}

enum pj_poll pj_poll_classify(long http_status, int has_access_token, const char *error)
{
	if (http_status == 200 && has_access_token)
		return PJ_POLL_TOKEN;
	if (error == NULL)
		return PJ_POLL_ERROR;
	if (strcmp(error, "authorization_pending") == 0)
		return PJ_POLL_PENDING;
	if (strcmp(error, "slow_down") == 0)
		return PJ_POLL_SLOW_DOWN;
	if (strcmp(error, "access_denied") == 0)
		return PJ_POLL_DENIED;
	if (strcmp(error, "expired_token") == 0)
		return PJ_POLL_EXPIRED;
	return PJ_POLL_ERROR;
}

void pj_oauth_error_text(const struct json_object *doc, long http_status, char *out, size_t outsz)
{
	const char *s = NULL;
	size_t len = 0;
	char error[64] = "", desc[200] = "";

	if (doc != NULL && pj_json_get_string(doc, "error", &s, &len) == 1)
		pj_sanitize(error, sizeof(error), s, len);
	if (doc != NULL && pj_json_get_string(doc, "error_description", &s, &len) == 1)
		pj_sanitize(desc, sizeof(desc), s, len);
	if (error[0] == '\0')
		snprintf(error, sizeof(error), "HTTP %ld", http_status);
	snprintf(out, outsz, "%s%s%s", error, desc[0] ? ": " : "", desc);
}

void pj_json_wipe(struct json_object *o)
{
	if (o == NULL)
		return;
	switch (json_object_get_type(o)) {
	case json_type_string:
		OPENSSL_cleanse((char *)(uintptr_t)json_object_get_string(o),
		                (size_t)json_object_get_string_len(o));
		break;
	case json_type_object: {
		json_object_object_foreach(o, k, v)
		{
			(void)k;
			pj_json_wipe(v);
		}
		break;
	}
	case json_type_array: {
		size_t i, n = json_object_array_length(o);

		for (i = 0; i < n; i++)
			pj_json_wipe(json_object_array_get_idx(o, i));
		break;
	}
	default: break;
	}
}

int pj_json_put_str(struct json_object *o, const char *name, const char *value)
{
	struct json_object *v;

	if (value == NULL)
		return 0;
	v = json_object_new_string(value);
	return v != NULL ? json_object_object_add(o, name, v) : -1;
}

int pj_json_put_num(struct json_object *o, const char *name, int64_t value)
{
	struct json_object *v = json_object_new_int64(value);

	return v != NULL ? json_object_object_add(o, name, v) : -1;
}
