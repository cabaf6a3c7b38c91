/*
 * fuzz_ndjson.c - libFuzzer target for the NDJSON point parser.
 *
 * Every input is parsed as a point and as a key. A point that parses is
 * printed with the output code and parsed again: the second parse must
 * give the same point, and printing it again the same bytes (the output
 * of any reader must feed ws-ingest unchanged, warmstore(5), "The point").
 * The input read as a vector value must also give what the general
 * number path gives (fast_f32.h).
 */
#include "codec/codec.h"
#include "fast_f32.h"
#include "same_point.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

/* The output goes to a memory file, created once. */
static int out_fd = -1;

/* Prints pt through a ws_output; returns a malloc'd copy and its length. */
static char *
format_point(const ws_point *pt, size_t *len)
{
	ws_error err;
	if (out_fd < 0) {
		out_fd = memfd_create("fuzz_ndjson", MFD_CLOEXEC);
		FUZZ_CHECK(out_fd >= 0);
	}
	FUZZ_CHECK(ftruncate(out_fd, 0) == 0);
	FUZZ_CHECK(lseek(out_fd, 0, SEEK_SET) == 0);
	ws_output *out = ws_output_new(out_fd, "memory");
	FUZZ_CHECK(out != NULL);
	ws_status rc = ws_output_point(out, pt, &err);
	ws_status rc2 = ws_output_close(out, &err);
	FUZZ_CHECK(rc == WS_OK && rc2 == WS_OK);
	off_t n = lseek(out_fd, 0, SEEK_CUR);
	FUZZ_CHECK(n > 0);
	char *text = malloc((size_t)n);
	FUZZ_CHECK(text != NULL);
	FUZZ_CHECK(pread(out_fd, text, (size_t)n, 0) == n);
	*len = (size_t)n;
	return text;
}

/* Walks the metadata the way the writers do; it must end exactly. */
static void
check_meta(const ws_point *pt)
{
	size_t pos = 0;
	ws_meta_pair pair;
	while (ws_meta_next(pt->meta, pt->meta_len, &pos, &pair))
		FUZZ_CHECK(pos <= pt->meta_len);
	FUZZ_CHECK(pos == pt->meta_len || pt->meta_len == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ws_point_buf *buf1, *buf2, *buf3;
	if (buf1 == NULL) {
		buf1 = ws_point_buf_new();
		buf2 = ws_point_buf_new();
		buf3 = ws_point_buf_new();
		FUZZ_CHECK(buf1 && buf2 && buf3);
	}
	/* An exact-size copy, so that any read past the line is caught. */
	char *line = malloc(size ? size : 1);
	FUZZ_CHECK(line != NULL);
	if (size > 0)
		memcpy(line, data, size);
	ws_error err;
	ws_point key, pt;
	ws_status krc = ws_parse_point(line, size, WS_PARSE_KEY, 7, buf3, &key,
				       &err);
	FUZZ_CHECK(krc == WS_OK || krc == WS_EBADINPUT);
	FUZZ_CHECK(krc == WS_OK || err.msg[0] != '\0');
	if (krc == WS_OK)
		FUZZ_CHECK(key.dim == 0 && key.meta_len == 0);
	ws_status rc = ws_parse_point(line, size, WS_PARSE_POINT, 7, buf1, &pt,
				      &err);
	FUZZ_CHECK(rc == WS_OK || rc == WS_EBADINPUT);
	(void)ws_line_is_blank(line, size);
	bool taken;
	FUZZ_CHECK(fast_f32_agrees((const char *)data, size, &taken));
	if (rc == WS_OK) {
		/* Every point is a key too, with the same key fields. */
		FUZZ_CHECK(krc == WS_OK);
		FUZZ_CHECK(key.entity_id == pt.entity_id &&
			   key.space_id == pt.space_id &&
			   key.timestamp == pt.timestamp);
		FUZZ_CHECK(pt.dim >= 1 && pt.dim <= WS_MAX_DIM);
		check_meta(&pt);
		size_t len1, len2;
		char *out1 = format_point(&pt, &len1);
		FUZZ_CHECK(out1[len1 - 1] == '\n');
		FUZZ_CHECK(memchr(out1, '\n', len1 - 1) == NULL);
		ws_point again;
		ws_status rc2 = ws_parse_point(out1, len1 - 1, WS_PARSE_POINT,
					       99, buf2, &again, &err);
		if (rc2 != WS_OK)
			fprintf(stderr, "output does not parse back: %s\n%.*s",
				err.msg, (int)len1, out1);
		FUZZ_CHECK(rc2 == WS_OK);
		FUZZ_CHECK(same_point(&pt, &again));
		char *out2 = format_point(&again, &len2);
		FUZZ_CHECK(len1 == len2 && memcmp(out1, out2, len1) == 0);
		free(out1);
		free(out2);
	}
	free(line);
	return 0;
}
