/*
 * delete.c - deletes become commits (warmstore(5), Tombstones and
 * Retention): the keys and ranges of a run, gathered per series, are
 * written as tombstone blocks through the store layer's writer, so that
 * a delete is durable, atomic and ordered with every other commit by its
 * seq; a retention cutoff is one retention block, a record in the
 * MANIFEST, and the blocks and files it hides entirely dropped.
 *
 * Ranges that overlap no stored block of their series are left out: a
 * delete of what is not there is no error and writes nothing.
 */
#include "write/write.h"

#include <stdlib.h>
#include <string.h>

void
ws__deletes_init(ws__deletes *d)
{
	memset(d, 0, sizeof *d);
}

void
ws__deletes_free(ws__deletes *d)
{
	free(d->e);
	ws__deletes_init(d);
}

void
ws__deletes_reset(ws__deletes *d)
{
	d->n = 0;
}

size_t
ws__deletes_bytes(const ws__deletes *d)
{
	return d->n * sizeof *d->e;
}

ws_status
ws__deletes_add(ws__deletes *d, uint64_t entity, uint32_t space,
		int64_t from, int64_t to, ws_error *err)
{
	if (ws__grow(&d->e, &d->cap, d->n + 1, sizeof *d->e, err) != WS_OK)
		return WS_ENOMEM;
	d->e[d->n++] = (ws__delete){entity, space, {from, to}};
	return WS_OK;
}

static int
delete_order(const void *pa, const void *pb)
{
	const ws__delete *a = pa, *b = pb;
	if (a->entity != b->entity)
		return a->entity < b->entity ? -1 : 1;
	if (a->space != b->space)
		return a->space < b->space ? -1 : 1;
	return (a->r.from > b->r.from) - (a->r.from < b->r.from);
}

/* One commit's tombstone blocks, back to back, as the writer takes them. */
typedef struct tomb_out {
	ws_encoder enc;
	unsigned char *blk; /* one encoded block */
	size_t blk_cap;
	unsigned char *buf;
	size_t len, cap;
	ws_block_head *heads;
	size_t *ends;
	size_t n, cap_heads, cap_ends;
	ws__time_range *r; /* one series' ranges */
	size_t nr, cap_r;
	ws_zone *data; /* its stored data blocks */
	size_t ndata, cap_data;
} tomb_out;

static void
tomb_out_free(tomb_out *o)
{
	ws__encoder_free(&o->enc);
	free(o->blk);
	free(o->buf);
	free(o->heads);
	free(o->ends);
	free(o->r);
	free(o->data);
}

/* The stored data blocks of a series (tombstones aside). */
static ws_status
series_blocks(ws_store *st, uint64_t entity, uint32_t space, tomb_out *o,
	      ws_error *err)
{
	o->ndata = 0;
	ws__zone_merge m;
	ws_status rc = ws__zone_merge_open(&m, st->segs, st->nsegs, 1, st->path,
					   err);
	if (rc != WS_OK)
		return rc;
	ws_zone z;
	rc = ws__zone_merge_seek(&m, entity, space, err);
	while (rc == WS_OK && (rc = ws__zone_merge_next(&m, &z, err)) == WS_OK &&
	       z.entity == entity && z.space == space) {
		if (z.tombstone)
			continue;
		if (ws__grow(&o->data, &o->cap_data, o->ndata + 1,
			     sizeof *o->data, err) != WS_OK)
			rc = WS_ENOMEM;
		else
			o->data[o->ndata++] = z;
	}
	ws__zone_merge_free(&m);
	return rc == WS_NOTFOUND ? WS_OK : rc;
}

static bool
touches_data(const tomb_out *o, const ws__time_range *r)
{
	for (size_t i = 0; i < o->ndata; i++)
		if (o->data[i].min_ts <= r->to && o->data[i].max_ts >= r->from)
			return true;
	return false;
}

/* Keeps the ranges that overlap a stored block of the series. */
static ws_status
keep_stored(ws_store *st, uint64_t entity, uint32_t space, tomb_out *o,
	    ws_error *err)
{
	ws_status rc = series_blocks(st, entity, space, o, err);
	if (rc != WS_OK)
		return rc;
	size_t kept = 0;
	for (size_t i = 0; i < o->nr; i++)
		if (touches_data(o, &o->r[i]))
			o->r[kept++] = o->r[i];
	o->nr = kept;
	return WS_OK;
}

static ws_status
add_block(tomb_out *o, uint64_t entity, uint32_t space,
	  const ws__time_range *r, size_t n, uint64_t seq, ws_error *err)
{
	size_t len;
	ws_block_head h;
	ws_status rc = ws__tombstone_encode(&o->enc, entity, space, r, n, seq,
					    &o->blk, &o->blk_cap, &len, &h, err);
	if (rc != WS_OK)
		return rc;
	if (ws__grow(&o->buf, &o->cap, o->len + len, 1, err) != WS_OK ||
	    ws__grow(&o->heads, &o->cap_heads, o->n + 1, sizeof *o->heads,
		     err) != WS_OK ||
	    ws__grow(&o->ends, &o->cap_ends, o->n + 1, sizeof *o->ends, err) !=
		    WS_OK)
		return WS_ENOMEM;
	memcpy(o->buf + o->len, o->blk, len);
	o->len += len;
	o->heads[o->n] = h;
	o->ends[o->n++] = o->len;
	return WS_OK;
}

/* The tombstones of the series starting at d->e[first]; *next past it. */
static ws_status
encode_series(ws_store *st, const ws__deletes *d, size_t first, size_t *next,
	      uint64_t seq, tomb_out *o, ws_delete_stats *stats, ws_error *err)
{
	const ws__delete *s = &d->e[first];
	size_t end = first;
	o->nr = 0;
	while (end < d->n && d->e[end].entity == s->entity &&
	       d->e[end].space == s->space) {
		if (ws__grow(&o->r, &o->cap_r, o->nr + 1, sizeof *o->r, err) !=
		    WS_OK)
			return WS_ENOMEM;
		o->r[o->nr++] = d->e[end++].r;
	}
	*next = end;
	o->nr = ws__ranges_normalize(o->r, o->nr);
	ws_status rc = keep_stored(st, s->entity, s->space, o, err);
	if (rc != WS_OK || o->nr == 0)
		return rc;
	stats->series++;
	stats->ranges += o->nr;
	for (size_t i = 0; i < o->nr && rc == WS_OK; i += WS_TOMBSTONE_MAX_RANGES) {
		size_t n = o->nr - i < WS_TOMBSTONE_MAX_RANGES
				   ? o->nr - i
				   : WS_TOMBSTONE_MAX_RANGES;
		rc = add_block(o, s->entity, s->space, o->r + i, n, seq, err);
	}
	return rc;
}

static ws_status
write_tombstones(ws_store *st, ws__writer *w, const ws__deletes *d,
		 ws_delete_stats *stats, ws_error *err)
{
	tomb_out o;
	memset(&o, 0, sizeof o);
	ws__encoder_init(&o.enc);
	ws_status rc = WS_OK;
	for (size_t i = 0; i < d->n && rc == WS_OK;)
		rc = encode_series(st, d, i, &i, ws__writer_seq(w), &o, stats,
				   err);
	if (rc == WS_OK && o.n > 0)
		rc = ws__writer_append_encoded(w, o.buf, o.len, o.heads, o.ends,
					       o.n, err);
	if (rc == WS_OK && o.n > 0)
		rc = ws__writer_publish(w, err);
	stats->blocks += rc == WS_OK ? o.n : 0;
	stats->commits += rc == WS_OK && o.n > 0;
	tomb_out_free(&o);
	return rc;
}

/* The store handle reads the state the commit left. */
static ws_status
reload_after(ws_store *st, ws_status rc, ws_error *err)
{
	return rc == WS_OK ? ws__store_reload(st, err) : rc;
}

ws_status
ws__deletes_commit(ws_store *st, ws__deletes *d, ws_delete_stats *stats,
		   ws_error *err)
{
	if (d->n == 0)
		return WS_OK;
	ws__sort(d->e, d->n, sizeof *d->e, delete_order);
	ws__writer *w;
	ws_status rc = ws__writer_begin(st, &w, err);
	if (rc != WS_OK)
		return rc;
	rc = write_tombstones(st, w, d, stats, err);
	ws__writer_end(w);
	return reload_after(st, rc, err);
}

void
ws_delete_stats_init(ws_delete_stats *s)
{
	memset(s, 0, sizeof *s);
}

ws_status
ws_delete_range(ws_store *st, uint64_t entity, uint32_t space, int64_t from,
		int64_t to, ws_delete_stats *stats, ws_error *err)
{
	if (from > to)
		return WS_OK;
	ws__deletes d;
	ws__deletes_init(&d);
	ws_status rc = ws__deletes_add(&d, entity, space, from, to, err);
	if (rc == WS_OK)
		rc = ws__deletes_commit(st, &d, stats, err);
	ws__deletes_free(&d);
	return rc;
}

/* --- retention ------------------------------------------------------- */

/* Whether the manifest holds the record of seq (one not superseded). */
static bool
holds_record(const ws_manifest *m, uint64_t seq)
{
	for (size_t i = 0; i < m->nret; i++)
		if (m->ret[i].seq == seq)
			return true;
	return false;
}

static ws_status
write_retention(ws_store *st, ws__writer *w, ws__retention *r,
		const ws_progress_opts *progress, ws_delete_stats *stats,
		ws_error *err)
{
	unsigned char *buf = NULL;
	size_t cap = 0, len = 0;
	ws_block_head h;
	r->seq = ws__writer_seq(w);
	ws_status rc = ws__retention_encode(r, r->seq, &buf, &cap, &len, &h, err);
	size_t end = len;
	if (rc == WS_OK)
		rc = ws__writer_append_encoded(w, buf, len, &h, &end, 1, err);
	free(buf);
	ws_manifest *m = ws__writer_manifest(w);
	if (rc == WS_OK) {
		r->file = m->data[m->ndata - 1].id; /* the one appended to */
		rc = ws__retention_add(m, r, err);
	}
	/* An earlier cutoff that hides as much: nothing to commit. */
	if (rc != WS_OK || !holds_record(m, r->seq))
		return rc;
	ws__writer_drop_retained(w, progress);
	stats->bytes_before = ws__manifest_data_bytes(&st->man);
	stats->files_before = st->man.ndata;
	if ((rc = ws__writer_publish(w, err)) == WS_OK) {
		stats->commits++;
		stats->blocks_before = ws__writer_retired(w).before;
		stats->blocks_after = ws__writer_retired(w).after;
		stats->bytes_after = ws__manifest_data_bytes(m);
		stats->files_after = m->ndata;
	}
	return rc;
}

/* A MANIFEST keeps numbers as JSON doubles: exact within 2^53. */
#define RETENTION_LIMIT INT64_C(9007199254740992)

ws_status
ws_delete_before(ws_store *st, int64_t before, bool has_space, uint32_t space,
		 const ws_progress_opts *progress, ws_delete_stats *stats,
		 ws_error *err)
{
	if (before < -RETENTION_LIMIT || before > RETENTION_LIMIT)
		return ws__err(err, WS_EUSAGE,
			       "--before: a cutoff is at most 2^53 microseconds "
			       "(285 years) from 1970");
	ws__writer *w;
	ws_status rc = ws__writer_begin(st, &w, err);
	if (rc != WS_OK)
		return rc;
	ws__retention r = {.before = before, .has_space = has_space,
			   .space = space};
	rc = write_retention(st, w, &r, progress, stats, err);
	ws__writer_end(w);
	return reload_after(st, rc, err);
}
