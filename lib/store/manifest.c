/*
 * manifest.c - the committed state of a store: which data files hold how
 * many committed bytes, which index segments make up the zone map, and
 * the dimension of every space. It is small (it grows with files and
 * spaces, never with points), JSON so that people can read it, and
 * replaced atomically by each commit.
 */
#include "store/store.h"

#include "codec/json_doc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MANIFEST_FORMAT "warmstore"
/* 2: a "crc" member closes the text; commit records in the data files. */
#define MANIFEST_VERSION 4
/* The member that closes the text: its CRC-32 covers every byte before. */
#define CRC_MEMBER ",\n\"crc\":"

void
ws__manifest_init(ws_manifest *m)
{
	memset(m, 0, sizeof *m);
	m->next_seq = 1;
	m->next_segment = 1;
}

void
ws__manifest_free(ws_manifest *m)
{
	free(m->data);
	free(m->segs);
	free(m->spaces);
	free(m->quar);
	free(m->ret);
	ws__manifest_init(m);
}

static void *
dup_array(const void *src, size_t n, size_t sz, ws_error *err)
{
	void *p = ws__malloc(n * sz, err);
	if (p != NULL && n > 0)
		memcpy(p, src, n * sz);
	return p;
}

ws_status
ws__manifest_copy(ws_manifest *dst, const ws_manifest *src, ws_error *err)
{
	ws_manifest m = *src;
	m.data = dup_array(src->data, src->ndata, sizeof *src->data, err);
	m.segs = dup_array(src->segs, src->nsegs, sizeof *src->segs, err);
	m.spaces = dup_array(src->spaces, src->nspaces, sizeof *src->spaces,
			     err);
	m.cap_spaces = src->nspaces;
	m.quar = dup_array(src->quar, src->nquar, sizeof *src->quar, err);
	m.ret = dup_array(src->ret, src->nret, sizeof *src->ret, err);
	if (m.data == NULL || m.segs == NULL || m.spaces == NULL ||
	    m.quar == NULL || m.ret == NULL) {
		ws__manifest_free(&m);
		return WS_ENOMEM;
	}
	*dst = m;
	return WS_OK;
}

uint64_t
ws__manifest_data_bytes(const ws_manifest *m)
{
	uint64_t n = 0;
	for (size_t i = 0; i < m->ndata; i++)
		n += m->data[i].length;
	return n;
}

/* Where space is or would go in the sorted spaces (binary search). */
static size_t
space_index(const ws_manifest *m, uint32_t space)
{
	size_t lo = 0, hi = m->nspaces;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->spaces[mid].space < space)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
ws__manifest_add_waste(ws_manifest *m, uint32_t id, uint64_t bytes)
{
	ws_datafile_ref *f = (ws_datafile_ref *)ws__manifest_datafile(m, id);
	if (f != NULL)
		f->waste = bytes < f->length - f->waste ? f->waste + bytes
							 : f->length;
}

uint32_t
ws__manifest_dim(const ws_manifest *m, uint32_t space)
{
	size_t i = space_index(m, space);
	return i < m->nspaces && m->spaces[i].space == space
		       ? m->spaces[i].dim
		       : 0;
}

ws_status
ws__manifest_set_dim(ws_manifest *m, uint32_t space, uint32_t dim,
		     ws_error *err)
{
	size_t i = space_index(m, space);
	if (i < m->nspaces && m->spaces[i].space == space) {
		m->spaces[i].dim = dim;
		return WS_OK;
	}
	if (ws__grow(&m->spaces, &m->cap_spaces, m->nspaces + 1,
		     sizeof *m->spaces, err) != WS_OK)
		return WS_ENOMEM;
	memmove(m->spaces + i + 1, m->spaces + i,
		(m->nspaces - i) * sizeof *m->spaces);
	m->spaces[i] = (ws_space_dim){space, dim};
	m->nspaces++;
	return WS_OK;
}

const ws_datafile_ref *
ws__manifest_datafile(const ws_manifest *m, uint32_t id)
{
	for (size_t i = 0; i < m->ndata; i++)
		if (m->data[i].id == id)
			return &m->data[i];
	return NULL;
}

/* --- loading: every field is checked, the file is untrusted ------- */

typedef struct loader {
	const char *name; /* "STORE/MANIFEST" */
	const ws__jdoc *doc;
	ws_error *err;
} loader;

static ws_status
damaged(loader *ld, const char *what)
{
	return ws__err(ld->err, WS_ECORRUPT, "%s: %s", ld->name, what);
}

static ws_status
not_a_number(loader *ld, const char *key)
{
	return ws__err(ld->err, WS_ECORRUPT,
		       "%s: field \"%s\" missing or not a number", ld->name,
		       key);
}

static ws_status
out_of_range(loader *ld, const char *key)
{
	return ws__err(ld->err, WS_ECORRUPT, "%s: field \"%s\" out of range",
		       ld->name, key);
}

/* An unsigned integer field, exact over the whole u64 range. */
static ws_status
get_uint(loader *ld, size_t obj, const char *key, uint64_t max,
	 uint64_t *out)
{
	size_t v = ws__jdoc_member(ld->doc, obj, key);
	if (v == 0 || ld->doc->v[v].kind != WS_JSON_NUMBER)
		return not_a_number(ld, key);
	if (!ws__jdoc_u64(ld->doc, v, out) || *out > max)
		return out_of_range(ld, key);
	return WS_OK;
}

/* A signed integer field, exact over the whole i64 range. */
static ws_status
get_int(loader *ld, size_t obj, const char *key, int64_t *out)
{
	size_t v = ws__jdoc_member(ld->doc, obj, key);
	if (v == 0 || ld->doc->v[v].kind != WS_JSON_NUMBER)
		return not_a_number(ld, key);
	return ws__jdoc_i64(ld->doc, v, out) ? WS_OK : out_of_range(ld, key);
}

static ws_status
check_file_name(loader *ld, size_t obj, const char *expected)
{
	size_t len;
	const char *file = ws__jdoc_string(
		ld->doc, ws__jdoc_member(ld->doc, obj, "file"), &len);
	if (file == NULL)
		return damaged(ld, "a file entry has no \"file\" name");
	char shown[WS__SHOWN_SIZE];
	if (len != strlen(expected) || memcmp(file, expected, len) != 0)
		return ws__err(ld->err, WS_ECORRUPT,
			       "%s: file \"%s\" is not a store file name "
			       "(expected \"%s\")",
			       ld->name, ws__shown_text(file, len, shown),
			       expected);
	return WS_OK;
}

static ws_status
get_array(loader *ld, const char *key, size_t *arr, size_t *n)
{
	*arr = ws__jdoc_member(ld->doc, 0, key);
	if (*arr == 0 || ld->doc->v[*arr].kind != WS_JSON_ARRAY)
		return ws__err(ld->err, WS_ECORRUPT,
			       "%s: field \"%s\" missing or not an array",
			       ld->name, key);
	*n = ws__jdoc_count(ld->doc, *arr);
	return WS_OK;
}

/* The elements of array arr, one after another, named it in the loop. */
#define FOR_EACH_ELEMENT(ld, arr, it)                                         \
	for (size_t it = ws__jdoc_first((ld)->doc, arr); it != 0;             \
	     it = ws__jdoc_next((ld)->doc, arr, it))

static ws_status
load_data(loader *ld, ws_manifest *m)
{
	size_t arr;
	ws_status rc = get_array(ld, "data", &arr, &m->ndata);
	if (rc != WS_OK)
		return rc;
	m->data = ws__malloc(m->ndata * sizeof *m->data, ld->err);
	if (m->data == NULL)
		return WS_ENOMEM;
	size_t i = 0;
	FOR_EACH_ELEMENT(ld, arr, it)
	{
		uint64_t id, len, waste;
		ws__name name;
		if ((rc = get_uint(ld, it, "id", UINT32_MAX, &id)) != WS_OK ||
		    (rc = get_uint(ld, it, "length", UINT64_MAX, &len)) != WS_OK ||
		    (rc = get_uint(ld, it, "waste", len, &waste)) != WS_OK)
			return rc;
		ws__data_file((uint32_t)id, &name);
		if ((rc = check_file_name(ld, it, name.rel)) != WS_OK)
			return rc;
		if (id == 0 || (i > 0 && id <= m->data[i - 1].id))
			return damaged(ld, "data file ids not increasing");
		m->data[i++] = (ws_datafile_ref){(uint32_t)id, len, waste};
	}
	return WS_OK;
}

static ws_status
load_segments(loader *ld, ws_manifest *m)
{
	size_t arr;
	ws_status rc = get_array(ld, "index", &arr, &m->nsegs);
	if (rc != WS_OK)
		return rc;
	m->segs = ws__malloc(m->nsegs * sizeof *m->segs, ld->err);
	if (m->segs == NULL)
		return WS_ENOMEM;
	size_t i = 0;
	FOR_EACH_ELEMENT(ld, arr, it)
	{
		uint64_t id, records;
		ws__name name;
		if ((rc = get_uint(ld, it, "id", UINT64_MAX, &id)) != WS_OK ||
		    (rc = get_uint(ld, it, "records", UINT64_MAX, &records)) !=
			    WS_OK)
			return rc;
		ws__segment_file(id, &name);
		if ((rc = check_file_name(ld, it, name.rel)) != WS_OK)
			return rc;
		if (id >= m->next_segment)
			return damaged(ld, "segment id beyond next_segment");
		m->segs[i++] = (ws_segment_ref){id, records};
	}
	return WS_OK;
}

static ws_status
load_spaces(loader *ld, ws_manifest *m)
{
	size_t arr;
	ws_status rc = get_array(ld, "spaces", &arr, &m->nspaces);
	if (rc != WS_OK)
		return rc;
	m->spaces = ws__malloc(m->nspaces * sizeof *m->spaces, ld->err);
	m->cap_spaces = m->nspaces;
	if (m->spaces == NULL)
		return WS_ENOMEM;
	size_t i = 0;
	FOR_EACH_ELEMENT(ld, arr, it)
	{
		uint64_t space, dim;
		if ((rc = get_uint(ld, it, "space_id", UINT32_MAX, &space)) !=
			    WS_OK ||
		    (rc = get_uint(ld, it, "dim", WS_MAX_DIM, &dim)) != WS_OK)
			return rc;
		if (dim == 0 || (i > 0 && space <= m->spaces[i - 1].space))
			return damaged(ld, "spaces not sorted or dim 0");
		m->spaces[i++] = (ws_space_dim){(uint32_t)space, (uint32_t)dim};
	}
	return WS_OK;
}

/*
 * An array that a MANIFEST may leave out: *arr 0 when it does, else its
 * n elements of size bytes allocated at *out.
 */
static ws_status
get_optional_array(loader *ld, const char *key, size_t *arr, size_t *n,
		   void **out, size_t size)
{
	*arr = 0;
	if (ws__jdoc_member(ld->doc, 0, key) == 0)
		return WS_OK;
	ws_status rc = get_array(ld, key, arr, n);
	if (rc != WS_OK)
		return rc;
	*out = ws__malloc(*n * size, ld->err);
	return *out == NULL ? WS_ENOMEM : WS_OK;
}

/* Optional (absent before any repair): must lie inside committed data. */
static ws_status
load_quarantine(loader *ld, ws_manifest *m)
{
	size_t arr;
	ws_status rc = get_optional_array(ld, "quarantine", &arr, &m->nquar,
					  (void **)&m->quar, sizeof *m->quar);
	if (rc != WS_OK || arr == 0)
		return rc;
	size_t i = 0;
	FOR_EACH_ELEMENT(ld, arr, it)
	{
		uint64_t id, off, len;
		if ((rc = get_uint(ld, it, "id", UINT32_MAX, &id)) != WS_OK ||
		    (rc = get_uint(ld, it, "offset", UINT64_MAX, &off)) != WS_OK ||
		    (rc = get_uint(ld, it, "length", UINT64_MAX, &len)) != WS_OK)
			return rc;
		const ws_datafile_ref *f = ws__manifest_datafile(m, (uint32_t)id);
		if (f == NULL || len == 0 || off > f->length ||
		    len > f->length - off)
			return damaged(ld, "quarantined range outside the data");
		const ws_quarantine *prev = i > 0 ? &m->quar[i - 1] : NULL;
		if (prev != NULL &&
		    (id < prev->id ||
		     (id == prev->id && off < prev->offset + prev->length)))
			return damaged(ld, "quarantined ranges not sorted");
		m->quar[i++] = (ws_quarantine){(uint32_t)id, off, len};
	}
	return WS_OK;
}

/* Optional (absent before the first retention): see retention.c. */
static ws_status
load_retention(loader *ld, ws_manifest *m)
{
	size_t arr;
	ws_status rc = get_optional_array(ld, "retention", &arr, &m->nret,
					  (void **)&m->ret, sizeof *m->ret);
	if (rc != WS_OK || arr == 0)
		return rc;
	size_t i = 0;
	FOR_EACH_ELEMENT(ld, arr, it)
	{
		uint64_t seq, file, space = 0;
		int64_t before = 0;
		bool has_space = ws__jdoc_member(ld->doc, it, "space") != 0;
		if ((rc = get_uint(ld, it, "seq", UINT64_MAX, &seq)) != WS_OK ||
		    (rc = get_int(ld, it, "before", &before)) != WS_OK ||
		    (rc = get_uint(ld, it, "file", UINT32_MAX, &file)) != WS_OK ||
		    (has_space && (rc = get_uint(ld, it, "space", UINT32_MAX,
						 &space)) != WS_OK))
			return rc;
		if (seq >= m->next_seq || (i > 0 && seq <= m->ret[i - 1].seq))
			return damaged(ld, "retention records not by seq");
		m->ret[i++] = (ws__retention){seq, before, has_space,
					      (uint32_t)space, (uint32_t)file};
	}
	return WS_OK;
}

static ws_status
load_root(loader *ld, ws_manifest *m)
{
	if (ld->doc->v[0].kind != WS_JSON_OBJECT)
		return damaged(ld, "not a JSON object");
	if (!ws__jdoc_is_string(ld->doc, ws__jdoc_member(ld->doc, 0, "format"),
				MANIFEST_FORMAT))
		return damaged(ld, "not a warmstore manifest");
	uint64_t version;
	ws_status rc = get_uint(ld, 0, "version", UINT64_MAX, &version);
	if (rc != WS_OK)
		return rc;
	if (version != MANIFEST_VERSION)
		return ws__err(ld->err, WS_ECORRUPT,
			       "%s: unsupported format version %" PRIu64,
			       ld->name, version);
	if ((rc = get_uint(ld, 0, "generation", UINT64_MAX,
			   &m->generation)) != WS_OK ||
	    (rc = get_uint(ld, 0, "next_seq", UINT64_MAX, &m->next_seq)) !=
		    WS_OK ||
	    (rc = get_uint(ld, 0, "next_segment", UINT64_MAX,
			   &m->next_segment)) != WS_OK)
		return rc;
	if ((rc = load_data(ld, m)) != WS_OK ||
	    (rc = load_segments(ld, m)) != WS_OK ||
	    (rc = load_quarantine(ld, m)) != WS_OK ||
	    (rc = load_retention(ld, m)) != WS_OK)
		return rc;
	return load_spaces(ld, m);
}

/*
 * The closing "crc" member must hold the CRC-32 of the text before it: a
 * MANIFEST changed by hand or damaged on disk is refused, whatever it
 * says, so that no writer trusts a lowered length or next_seq.
 */
static ws_status
check_crc(loader *ld, const char *text, size_t len)
{
	const char *at = NULL;
	for (const char *p = text; (p = strstr(p, CRC_MEMBER)) != NULL; p++)
		at = p;
	if (at == NULL)
		return damaged(ld, "no checksum (run 'ws-reindex' to rebuild it)");
	const char *digits = at + strlen(CRC_MEMBER), *end = digits;
	while (end < text + len && *end >= '0' && *end <= '9')
		end++;
	uint64_t crc;
	if (!ws_parse_u64(digits, (size_t)(end - digits), &crc) ||
	    strcmp(end, "}\n") != 0 ||
	    crc != ws__crc32(text, (size_t)(at - text)))
		return damaged(ld, "checksum mismatch: changed or damaged since "
				   "it was written (run 'ws-reindex' to rebuild "
				   "it from the data files)");
	return WS_OK;
}

/* The text as JSON: a damaged MANIFEST says where the JSON breaks. */
static ws_status
read_json(loader *ld, const char *text, size_t len, ws__jdoc *doc)
{
	static const char lexer_prefix[] = "invalid JSON: ";
	ws_error why;
	ws_status rc = ws__jdoc_read(doc, text, len, &why);
	if (rc == WS_ENOMEM) {
		*ld->err = why;
		return rc;
	}
	if (rc != WS_OK) {
		const char *what = why.msg;
		if (strncmp(what, lexer_prefix, strlen(lexer_prefix)) == 0)
			what += strlen(lexer_prefix);
		return ws__err(ld->err, WS_ECORRUPT, "%s: not valid JSON: %s",
			       ld->name, what);
	}
	return WS_OK;
}

static ws_status
parse_manifest(char *text, size_t len, const char *name, ws_manifest *m,
	       ws_error *err)
{
	ws__jdoc doc;
	loader ld = {name, &doc, err};
	ws_status rc = check_crc(&ld, text, len);
	if (rc == WS_OK)
		rc = read_json(&ld, text, len, &doc);
	if (rc != WS_OK) {
		free(text);
		return rc;
	}
	ws__manifest_init(m);
	rc = load_root(&ld, m);
	ws__jdoc_free(&doc);
	free(text);
	if (rc != WS_OK)
		ws__manifest_free(m);
	return rc;
}

ws_status
ws__manifest_load_fd(int fd, const struct stat *sb, const char *store,
		     ws_manifest *m, ws_error *err)
{
	char name[WS_PATH_SIZE];
	ws__store_path(name, store, WS_MANIFEST);
	char *text;
	size_t len;
	ws_status rc = ws__read_small_fd(fd, sb, name, WS_MANIFEST_MAX, &text,
					 &len, err);
	return rc == WS_OK ? parse_manifest(text, len, name, m, err) : rc;
}

ws_status
ws__manifest_load(int dirfd, const char *store, ws_manifest *m, ws_error *err)
{
	char name[WS_PATH_SIZE];
	ws__store_path(name, store, WS_MANIFEST);
	char *text;
	size_t len;
	ws_status rc = ws__read_small_file(dirfd, WS_MANIFEST, name,
					   WS_MANIFEST_MAX, &text, &len, err);
	return rc == WS_OK ? parse_manifest(text, len, name, m, err) : rc;
}

/* --- saving ---------------------------------------------------------- */

typedef struct text {
	char *p;
	size_t len, cap;
	bool failed;
} text;

static void
text_add(text *t, const char *fmt, ...) WS_PRINTF(2, 3);

static void
text_add(text *t, const char *fmt, ...)
{
	for (int tries = 0; tries < 2 && !t->failed; tries++) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->failed = true;
			return;
		}
		if ((size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		if (ws__grow(&t->p, &t->cap, t->len + (size_t)n + 1, 1, NULL) !=
		    WS_OK)
			t->failed = true;
	}
}

ws_status
ws__manifest_save(int dirfd, const char *store, const ws_manifest *m,
		  ws_error *err)
{
	char name[WS_PATH_SIZE];
	ws__name file;
	ws__store_path(name, store, WS_MANIFEST);
	text t = {0};
	/* A first guess at the text's size; it grows as needed. */
	if (ws__grow(&t.p, &t.cap, 4096, 1, err) != WS_OK)
		return WS_ENOMEM;
	text_add(&t,
		 "{\"format\":\"%s\",\"version\":%d,\"generation\":%" PRIu64
		 ",\"next_seq\":%" PRIu64 ",\"next_segment\":%" PRIu64
		 ",\n\"data\":[",
		 MANIFEST_FORMAT, MANIFEST_VERSION, m->generation, m->next_seq,
		 m->next_segment);
	for (size_t i = 0; i < m->ndata; i++) {
		ws__data_file(m->data[i].id, &file);
		text_add(&t,
			 "%s\n {\"id\":%" PRIu32 ",\"file\":\"%s\",\"length\":%" PRIu64
			 ",\"waste\":%" PRIu64 "}",
			 i ? "," : "", m->data[i].id, file.rel, m->data[i].length,
			 m->data[i].waste);
	}
	text_add(&t, "],\n\"index\":[");
	for (size_t i = 0; i < m->nsegs; i++) {
		ws__segment_file(m->segs[i].id, &file);
		text_add(&t,
			 "%s\n {\"id\":%" PRIu64 ",\"file\":\"%s\",\"records\":%" PRIu64
			 "}",
			 i ? "," : "", m->segs[i].id, file.rel, m->segs[i].records);
	}
	text_add(&t, "],\n\"spaces\":[");
	for (size_t i = 0; i < m->nspaces; i++)
		text_add(&t, "%s{\"space_id\":%" PRIu32 ",\"dim\":%" PRIu32 "}",
			 i ? "," : "", m->spaces[i].space, m->spaces[i].dim);
	text_add(&t, "]");
	/* Written only after a repair, so other manifests keep their form. */
	if (m->nquar > 0)
		text_add(&t, ",\n\"quarantine\":[");
	for (size_t i = 0; i < m->nquar; i++)
		text_add(&t,
			 "%s\n {\"id\":%" PRIu32 ",\"offset\":%" PRIu64
			 ",\"length\":%" PRIu64 "}%s",
			 i ? "," : "", m->quar[i].id, m->quar[i].offset,
			 m->quar[i].length, i + 1 == m->nquar ? "]" : "");
	if (m->nret > 0)
		text_add(&t, ",\n\"retention\":[");
	for (size_t i = 0; i < m->nret; i++) {
		const ws__retention *r = &m->ret[i];
		text_add(&t, "%s\n {\"seq\":%" PRIu64 ",\"before\":%" PRId64
			     ",\"file\":%" PRIu32,
			 i ? "," : "", r->seq, r->before, r->file);
		if (r->has_space)
			text_add(&t, ",\"space\":%" PRIu32, r->space);
		text_add(&t, "}%s", i + 1 == m->nret ? "]" : "");
	}
	if (!t.failed)
		text_add(&t, CRC_MEMBER "%" PRIu32 "}\n", ws__crc32(t.p, t.len));
	ws_status rc = t.failed ? ws__err(err, WS_ENOMEM, "out of memory")
				: ws__replace_file(dirfd, WS_MANIFEST, name,
						   t.p, t.len, err);
	free(t.p);
	return rc;
}
