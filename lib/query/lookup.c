/*
 * lookup.c - exact lookups of many keys read as NDJSON lines: the engine
 * of ws-get.
 *
 * Keys come in any order, and answering them in that order would inflate
 * a block again for every key that lands in it. Keys are taken in chunks,
 * looked up in key order (consecutive keys of one block then reuse the
 * block the store decoded last), and the answers are printed in input
 * order. Memory is bounded by the chunk, not by the input. When the input
 * pauses, the keys so far are answered at once, so that a program that
 * writes a key and waits for its answer is served; each chunk is answered
 * from the state committed when it is answered.
 */
#include "query/query.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/*
 * A chunk ends at 65536 keys or when its answers would pass about 32 MiB
 * of text (a point takes some 12 bytes a value): as many keys as that
 * allows meet in one chunk, and each block they share is decoded once
 * (10,000 keys of dimension 8 are one chunk, of dimension 384 two).
 */
#define CHUNK_KEYS 65536
#define CHUNK_TEXT (32u * 1024u * 1024u)
#define ANSWER_BYTES(dim) (96u + 12u * (size_t)(dim))

/* One key of a chunk and where its answer sits in the chunk's text. */
typedef struct pending_key {
	uint64_t entity;
	int64_t ts;
	uint32_t space;
	uint32_t dim; /* of the answer, for a CSV header */
	bool found;
	size_t seq; /* its answer is the chunk's seq-th point printed */
} pending_key;

typedef struct lookup {
	ws_store *st;
	const ws_lookup_opts *o;
	ws_lookup_stats *stats;
	ws_output *out;  /* where answers go, in input order */
	ws_output *text; /* the chunk's answers, in key order */
	ws_printer *pr;  /* prints them into text */
	pending_key *keys;
	pending_key **order; /* the keys, sorted by key */
	size_t n, cap_keys, cap_order;
	size_t text_due; /* what the chunk's answers will take, about */
} lookup;

static int
by_key(const void *pa, const void *pb)
{
	const pending_key *a = *(pending_key *const *)pa;
	const pending_key *b = *(pending_key *const *)pb;
	return ws__key_cmp(a->entity, a->space, a->ts, b->entity, b->space,
			   b->ts);
}

/* Answers the keys of the chunk and prints them in input order. */
static ws_status
answer_chunk(lookup *lk, ws_error *err)
{
	for (size_t i = 0; i < lk->n; i++)
		lk->order[i] = &lk->keys[i];
	ws__sort(lk->order, lk->n, sizeof *lk->order, by_key);
	/* The printer is idle: the last chunk ended with a flush. */
	ws_output_memory_reset(lk->text);
	ws_printer_forget_ends(lk->pr);
	/* A long-running ws-get (a coprocess) answers from the latest commit. */
	ws_status rc = ws__store_refresh(lk->st, err);
	size_t printed = 0;
	for (size_t i = 0; i < lk->n && rc == WS_OK; i++) {
		pending_key *k = lk->order[i];
		ws_point pt;
		rc = ws_store_get(lk->st, k->entity, k->space, k->ts, &pt, err);
		k->found = rc == WS_OK;
		if (rc == WS_NOTFOUND) {
			rc = WS_OK;
			continue;
		}
		k->seq = printed++;
		k->dim = pt.dim;
		if (rc == WS_OK)
			rc = ws_printer_point(lk->pr, &pt, err);
	}
	if (rc == WS_OK)
		rc = ws_printer_flush(lk->pr, err);
	size_t nends;
	const size_t *ends = ws_printer_ends(lk->pr, &nends);
	const char *text = rc == WS_OK ? ws_output_memory(lk->text, err) : NULL;
	for (size_t i = 0; text != NULL && i < lk->n && rc == WS_OK; i++) {
		const pending_key *k = &lk->keys[i];
		if (k->found) {
			size_t off = k->seq > 0 ? ends[k->seq - 1] : 0;
			lk->stats->found++;
			rc = ws__output_expect_dim(lk->out, k->entity, k->space,
						   k->dim, err);
			if (rc == WS_OK)
				rc = ws_output_bytes(lk->out, text + off,
						     ends[k->seq] - off, err);
		} else {
			lk->stats->missing++;
		}
	}
	lk->n = 0;
	lk->text_due = 0;
	return text == NULL && rc == WS_OK ? WS_ENOMEM : rc;
}

/* Parses one key line into the chunk, or reports it as bad. */
static ws_status
take_line(lookup *lk, const ws_line *line, ws_point_buf *pb, ws_error *err)
{
	ws_error why = {0};
	ws_point key;
	ws_status rc;
	if (line->too_long)
		rc = ws__err(&why, WS_EBADINPUT, "line longer than %u bytes",
			     WS_DEFAULT_MAX_LINE);
	else if (ws_line_is_blank(line->text, line->len))
		return WS_OK;
	else
		rc = ws_parse_point(line->text, line->len, WS_PARSE_KEY,
				    lk->o->default_space, pb, &key, &why);
	if (rc == WS_EBADINPUT) {
		ws__err_prefix(&why, "%s:%" PRIu64, lk->o->source, line->number);
		lk->stats->bad++;
		if (lk->o->on_bad != NULL)
			lk->o->on_bad(lk->o->ctx, &why);
		return WS_OK;
	}
	if (rc != WS_OK) {
		*err = why;
		return rc;
	}
	if (ws__grow(&lk->keys, &lk->cap_keys, lk->n + 1, sizeof *lk->keys,
		     err) != WS_OK ||
	    ws__grow(&lk->order, &lk->cap_order, lk->n + 1, sizeof *lk->order,
		     err) != WS_OK)
		return WS_ENOMEM;
	lk->keys[lk->n++] = (pending_key){.entity = key.entity_id,
					  .space = key.space_id,
					  .ts = key.timestamp};
	lk->stats->keys++;
	lk->text_due += ANSWER_BYTES(ws__manifest_dim(&lk->st->man, key.space_id));
	return lk->n == CHUNK_KEYS || lk->text_due >= CHUNK_TEXT
		       ? answer_chunk(lk, err)
		       : WS_OK;
}

ws_status
ws_lookup_fd(ws_store *st, int fd, const ws_lookup_opts *o, ws_output *out,
	     ws_lookup_stats *stats, ws_error *err)
{
	memset(stats, 0, sizeof *stats);
	lookup *lk = calloc(1, sizeof *lk);
	ws_line_reader *in = ws_line_reader_new(fd, o->source, 0);
	ws_point_buf *pb = ws_point_buf_new();
	ws_status rc = WS_OK;
	if (lk == NULL || in == NULL || pb == NULL ||
	    (lk->text = ws_output_new_memory()) == NULL)
		rc = ws__err(err, WS_ENOMEM, "out of memory");
	if (rc == WS_OK && (lk->pr = ws_printer_new(lk->text, err)) == NULL)
		rc = WS_ENOMEM;
	if (rc == WS_OK)
		ws_printer_keep_ends(lk->pr);
	if (rc == WS_OK)
		rc = ws__output_records_like(lk->text, out, err);
	if (rc == WS_OK) {
		/* The answers go through text: it writes times as out does. */
		ws_output_set_time_format(lk->text, ws_output_time_format(out));
		*lk = (lookup){.st = st, .o = o, .stats = stats, .out = out,
			       .text = lk->text, .pr = lk->pr};
		ws_line line;
		while (rc == WS_OK) {
			/* Input that pauses (a coprocess) gets its answers now. */
			if (lk->n > 0 && ws_line_reader_would_block(in, 0) &&
			    ((rc = answer_chunk(lk, err)) != WS_OK ||
			     (rc = ws_output_flush(out, err)) != WS_OK))
				break;
			if ((rc = ws_line_read(in, &line, err)) == WS_OK)
				rc = take_line(lk, &line, pb, err);
		}
		if (rc == WS_NOTFOUND)
			rc = answer_chunk(lk, err);
	}
	if (lk != NULL)
		ws_printer_free(lk->pr); /* before its output goes */
	if (lk != NULL && ws_output_close(lk->text, rc == WS_OK ? err : NULL) !=
				  WS_OK && rc == WS_OK)
		rc = WS_ENOMEM;
	if (lk != NULL) {
		free(lk->keys);
		free(lk->order);
	}
	free(lk);
	ws_line_reader_free(in);
	ws_point_buf_free(pb);
	return rc;
}
