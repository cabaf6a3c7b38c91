/*
 * conflict.c - a batch that meets a dimension another writer fixed after
 * the batch began: its points in such a space are taken out and handed
 * to the caller to reject, so that the rest of the batch can still be
 * committed (ws-ingest(1), DIAGNOSTICS).
 */
#include "write/write.h"

#include <stdlib.h>

static bool
conflicts(const ws_batch_entry *e, const ws_manifest *m, uint32_t *dim)
{
	*dim = ws__manifest_dim(m, e->space);
	return *dim != 0 && *dim != e->dim;
}

/* A conflicting entry of the batch and its input line. */
struct conflict {
	uint64_t line;
	size_t i;
};

static int
by_line(const void *pa, const void *pb)
{
	const struct conflict *a = pa, *b = pb;
	return a->line < b->line ? -1 : a->line > b->line;
}

/* The conflicting entries, in input line order. */
static ws_status
find_conflicts(const ws_batch *b, const ws_manifest *m,
	       struct conflict **out, size_t *n, ws_error *err)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < b->n; i++) {
		uint32_t dim;
		if (!conflicts(&b->e[i], m, &dim))
			continue;
		if (ws__grow(out, &cap, *n + 1, sizeof **out, err) != WS_OK) {
			free(*out);
			return WS_ENOMEM;
		}
		(*out)[(*n)++] = (struct conflict){b->e[i].line, i};
	}
	ws__sort(*out, *n, sizeof **out, by_line);
	return WS_OK;
}

ws_status
ws__batch_drop_conflicts(ws_batch *b, const ws_manifest *m,
			 ws__conflict_fn fn, void *ctx, size_t *dropped,
			 ws_error *err)
{
	struct conflict *found;
	size_t n;
	ws_status rc = find_conflicts(b, m, &found, &n, err);
	if (rc != WS_OK)
		return rc;
	for (size_t i = 0; i < n && rc == WS_OK; i++) {
		const ws_batch_entry *e = &b->e[found[i].i];
		rc = fn(ctx, b, e, ws__manifest_dim(m, e->space), err);
	}
	free(found);
	if (rc != WS_OK)
		return rc;
	size_t kept = 0;
	for (size_t i = 0; i < b->n; i++) {
		uint32_t dim;
		if (!conflicts(&b->e[i], m, &dim))
			b->e[kept++] = b->e[i];
	}
	*dropped = b->n - kept;
	b->n = kept;
	return WS_OK;
}
