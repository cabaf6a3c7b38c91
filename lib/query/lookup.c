/*
 * lookup.c - exact lookups of many keys read as NDJSON lines: the engine
 * of ws-get.
 *
 * Keys come in any order, and answering them in that order would inflate
 * a block again for every key that lands in it. Keys are taken in chunks,
 * looked up in key order (consecutive keys of one block then reuse the
 * block their cursor decoded last), their answers held as values, and then
 * printed in input order. Memory is bounded by the chunk, not by the
 * input. A chunk of many keys is looked up on two threads, each taking
 * half of the keys in key order with a cursor of its own: a get's work
 * is reading, checking and decoding blocks, which share nothing but the
 * store's read-only snapshot. When the input
 * pauses, the keys so far are answered at once, so that a program that
 * writes a key and waits for its answer is served; each chunk is answered
 * from the state committed when it is answered.
 */
#include "query/query.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/*
 * A chunk ends at 65536 keys or when its answers would hold about 32 MiB
 * (a point takes 4 bytes a value, and its metadata): as many keys as that
 * allows meet in one chunk, and each block they share is decoded once
 * (10,000 keys of dimension 384 are one chunk). The answers are held as
 * values, not text, which takes a third of the memory a printed value does.
 */
#define CHUNK_KEYS 65536
#define CHUNK_HELD (32u * 1024u * 1024u)
#define ANSWER_HELD(dim) (64u + 4u * (size_t)(dim))
/*
 * Fewer keys than this are looked up on one thread: starting one takes
 * about as long as a few gets, and a coprocess that asks for one key at
 * a time waits for each answer.
 */
#define SHARED_MIN_KEYS 64

/* One key of a chunk and where its answer is held. */
typedef struct pending_key {
	uint64_t entity;
	int64_t ts;
	uint32_t space;
	uint32_t dim;
	bool found;
	unsigned char half; /* of the lookup that found it */
	size_t at; /* the answer's values, then its metadata, in held */
	size_t meta_len;
} pending_key;

struct lookup;

/* One thread's share of a chunk: keys [from, to) of the key order. */
typedef struct lookup_half {
	struct lookup *lk;
	ws_cursor *cur; /* kept across chunks, with its decoded blocks */
	size_t from, to;
	unsigned char *held; /* the answers it found */
	size_t held_len, cap_held;
	ws_status rc;
	ws_error err;
} lookup_half;

typedef struct lookup {
	ws_store *st;
	const ws_lookup_opts *o;
	ws_lookup_stats *stats;
	ws_printer *pr; /* prints the answers to out, in input order */
	pending_key *keys;
	pending_key **order; /* the keys, sorted by key */
	size_t n, cap_keys, cap_order;
	lookup_half half[2];
	size_t held_due; /* what the chunk's answers will take, about */
} lookup;

static int
by_key(const void *pa, const void *pb)
{
	const pending_key *a = *(pending_key *const *)pa;
	const pending_key *b = *(pending_key *const *)pb;
	return ws__key_cmp(a->entity, a->space, a->ts, b->entity, b->space,
			   b->ts);
}

/* Keeps the answer of k: its values (4-byte aligned), then its metadata. */
static ws_status
hold(lookup_half *h, pending_key *k, const ws_point *pt, ws_error *err)
{
	size_t at = (h->held_len + 3) & ~(size_t)3;
	size_t vec = (size_t)pt->dim * sizeof *pt->vector;
	if (ws__grow(&h->held, &h->cap_held, at + vec + pt->meta_len, 1, err) !=
	    WS_OK)
		return WS_ENOMEM;
	memcpy(h->held + at, pt->vector, vec);
	if (pt->meta_len > 0)
		memcpy(h->held + at + vec, pt->meta, pt->meta_len);
	k->half = (unsigned char)(h - h->lk->half);
	k->at = at;
	k->dim = pt->dim;
	k->meta_len = pt->meta_len;
	h->held_len = at + vec + pt->meta_len;
	return WS_OK;
}

/* The held answer of k as a point. */
static ws_point
held_point(const lookup *lk, const pending_key *k)
{
	const unsigned char *p = lk->half[k->half].held + k->at;
	return (ws_point){.entity_id = k->entity,
			  .space_id = k->space,
			  .timestamp = k->ts,
			  .dim = k->dim,
			  .vector = (const float *)(const void *)p,
			  .meta = p + (size_t)k->dim * sizeof(float),
			  .meta_len = k->meta_len};
}

/* Looks up the keys of one half, in key order (a thread's body). */
static void *
find_half(void *arg)
{
	lookup_half *h = arg;
	const lookup *lk = h->lk;
	h->held_len = 0;
	h->rc = h->cur == NULL ? ws__cursor_new(lk->st, 1, &h->cur, &h->err)
			       : WS_OK;
	for (size_t i = h->from; i < h->to && h->rc == WS_OK; i++) {
		pending_key *k = lk->order[i];
		ws_point pt;
		ws_status rc = ws__get(h->cur, k->entity, k->space, k->ts, &pt,
				       &h->err);
		k->found = rc == WS_OK;
		if (rc == WS_OK)
			rc = hold(h, k, &pt, &h->err);
		h->rc = rc == WS_NOTFOUND ? WS_OK : rc;
	}
	return NULL;
}

static bool
same_series(const pending_key *a, const pending_key *b)
{
	return a->entity == b->entity && a->space == b->space;
}

/*
 * Where the second thread's keys start: the series boundary nearest the
 * middle of the key order, if one lies in its middle half, so that no
 * block is read by both; else the middle (one block may be read twice).
 */
static size_t
split_point(const lookup *lk)
{
	size_t mid = lk->n / 2, reach = lk->n / 4;
	for (size_t d = 0; d <= reach; d++) {
		if (!same_series(lk->order[mid + d - 1], lk->order[mid + d]))
			return mid + d;
		if (d < mid && !same_series(lk->order[mid - d - 1],
					    lk->order[mid - d]))
			return mid - d;
	}
	return mid;
}

/*
 * Looks the keys of the chunk up in key order, holding the answers: on
 * two threads when the keys are many and the store allows it.
 */
static ws_status
find_answers(lookup *lk, ws_error *err)
{
	for (size_t i = 0; i < lk->n; i++)
		lk->order[i] = &lk->keys[i];
	ws__sort(lk->order, lk->n, sizeof *lk->order, by_key);
	/* A long-running ws-get (a coprocess) answers from the latest commit. */
	ws_status rc = ws__store_refresh(lk->st, err);
	if (rc != WS_OK)
		return rc;
	bool shared = lk->n >= SHARED_MIN_KEYS && ws__store_reads_shared(lk->st);
	size_t split = shared ? split_point(lk) : lk->n;
	lk->half[0].from = 0;
	lk->half[0].to = lk->half[1].from = split;
	lk->half[1].to = lk->n;
	lk->half[1].rc = WS_OK; /* when it does not run */
	ws__run_pair(find_half, &lk->half[0], shared ? &lk->half[1] : NULL);
	/* The first error in key order is the one told. */
	for (int i = 0; i < 2; i++)
		if (lk->half[i].rc != WS_OK) {
			*err = lk->half[i].err;
			return lk->half[i].rc;
		}
	return WS_OK;
}

/* Answers the keys of the chunk and prints them in input order. */
static ws_status
answer_chunk(lookup *lk, ws_error *err)
{
	ws_status rc = find_answers(lk, err);
	for (size_t i = 0; i < lk->n && rc == WS_OK; i++) {
		const pending_key *k = &lk->keys[i];
		if (k->found) {
			ws_point pt = held_point(lk, k);
			lk->stats->found++;
			rc = ws_printer_point(lk->pr, &pt, err);
		} else {
			lk->stats->missing++;
		}
	}
	if (rc == WS_OK)
		rc = ws_printer_flush(lk->pr, err);
	lk->n = 0;
	lk->held_due = 0;
	return rc;
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
	lk->held_due += ANSWER_HELD(ws__manifest_dim(&lk->st->man, key.space_id));
	return lk->n == CHUNK_KEYS || lk->held_due >= CHUNK_HELD
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
	if (lk == NULL || in == NULL || pb == NULL)
		rc = ws__err(err, WS_ENOMEM, "out of memory");
	if (rc == WS_OK && (lk->pr = ws_printer_new(out, err)) == NULL)
		rc = WS_ENOMEM;
	if (rc == WS_OK) {
		*lk = (lookup){.st = st, .o = o, .stats = stats, .pr = lk->pr};
		for (int i = 0; i < 2; i++)
			lk->half[i].lk = lk;
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
	if (lk != NULL) {
		ws_printer_free(lk->pr);
		free(lk->keys);
		free(lk->order);
		for (int i = 0; i < 2; i++) {
			ws__cursor_free(lk->half[i].cur);
			free(lk->half[i].held);
		}
	}
	free(lk);
	ws_line_reader_free(in);
	ws_point_buf_free(pb);
	return rc;
}
