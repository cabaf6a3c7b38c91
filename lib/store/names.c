/*
 * names.c - the names of a store's files (warmstore(5), FILES): one
 * place that knows "data/00000001.wsd" and "index/0000000000000001.wsi",
 * and the "STORE/data/..." form in which messages name them.
 */
#include "store/store.h"

#include <string.h>

/*
 * Names are made for every block a query reads (its messages name the
 * file), so they are put together by hand: snprintf was 5% of 10,000
 * gets.
 */

/* dir "/" id in at least width digits (zero-padded) ext, into n. */
static void
put_name(ws__name *n, const char *dir, uint64_t id, int width,
	 const char *ext)
{
	size_t dl = strlen(dir), el = strlen(ext);
	int digits = ws__decimal_digits(id);
	int pad = digits < width ? width - digits : 0;
	char *p = n->rel;
	memcpy(p, dir, dl);
	p[dl] = '/';
	p += dl + 1;
	n->base = p;
	memset(p, '0', (size_t)pad);
	p += pad;
	p += ws__utoa(id, p);
	memcpy(p, ext, el + 1);
}

void
ws__data_file(uint32_t id, ws__name *n)
{
	put_name(n, WS_DATA_DIR, id, 8, ".wsd");
}

void
ws__segment_file(uint64_t id, ws__name *n)
{
	put_name(n, WS_INDEX_DIR, id, 16, ".wsi");
}

/* Appends the n bytes of s at *at, as far as WS_PATH_SIZE allows. */
static void
append(char buf[WS_PATH_SIZE], size_t *at, const char *s, size_t n)
{
	if (n > WS_PATH_SIZE - 1 - *at)
		n = WS_PATH_SIZE - 1 - *at;
	memcpy(buf + *at, s, n);
	*at += n;
	buf[*at] = '\0';
}

const char *
ws__store_path(char buf[WS_PATH_SIZE], const char *store, const char *rel)
{
	size_t at = 0;
	buf[0] = '\0';
	append(buf, &at, store, strlen(store));
	append(buf, &at, "/", 1);
	append(buf, &at, rel, strlen(rel));
	return buf;
}

const char *
ws__store_offset(char buf[WS_PATH_SIZE], const char *store, const char *rel,
		 uint64_t offset)
{
	char digits[20];
	ws__store_path(buf, store, rel);
	size_t at = strlen(buf);
	append(buf, &at, ": offset ", 9);
	append(buf, &at, digits, (size_t)ws__utoa(offset, digits));
	return buf;
}
