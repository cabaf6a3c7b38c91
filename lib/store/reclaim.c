/*
 * reclaim.c - giving back what a data file wastes (warmstore(5),
 * Reclaiming). Data files are append-only: a block that a commit drops
 * (a series' small last block merged into a new one) and the commit
 * records before a file's last one stay in the file. When a file's waste
 * passes a quarter of what it still holds and 4 KiB (for a compaction:
 * or reaches what it holds), a commit copies the file's
 * live blocks, byte for byte and with their seq, to the file it appends
 * to, writes drop records for their old places, and the MANIFEST it
 * publishes no longer names the file, which is then removed. A commit
 * copies no more than its budget (about its own size): a large file is
 * rewritten over several commits, so that the work and the extra disk
 * space of each stay in proportion to it, whatever the size of the store.
 */
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Less waste than this is not worth a rewrite, however small the file. */
#define RECLAIM_MIN (4u << 10)
/* Copied blocks are appended this many bytes at a time. */
#define COPY_CHUNK (4u << 20)

/*
 * Whether data file f wastes enough to be rewritten: a quarter of what it
 * holds and 4 KiB; for a compaction (thorough), also as much as it holds,
 * however small.
 */
static bool
wasteful(const ws_datafile_ref *f, bool thorough)
{
	uint64_t live = f->length - f->waste;
	return f->waste > 0 &&
	       ((f->waste >= RECLAIM_MIN && f->waste > live / 4) ||
		(thorough && f->waste >= live));
}

/*
 * The wasteful data file that wastes most; never the one the commit
 * appends to already (its new blocks are in no segment yet), nor the one
 * a compaction is emptying (what is live in it is about to be dropped).
 */
static const ws_datafile_ref *
choose_victim(const ws_manifest *m, uint32_t appending, uint32_t avoided,
	      bool thorough)
{
	const ws_datafile_ref *best = NULL;
	for (size_t i = 0; i < m->ndata; i++) {
		const ws_datafile_ref *f = &m->data[i];
		if (wasteful(f, thorough) && f->id != appending && f->id != avoided &&
		    (best == NULL || f->waste > best->waste))
			best = f;
	}
	return best;
}

/* Blocks read from the victim, waiting to be appended. */
typedef struct copy_buf {
	unsigned char *buf;
	size_t len, cap;
	ws_block_head *heads;
	size_t *ends;
	size_t n, cap_heads, cap_ends;
	ws_zone *old; /* the zones of the copied blocks, dropped after */
	size_t nold, cap_old;
	uint64_t *dropped; /* offsets of the blocks this commit drops anyway */
	size_t ndropped;
	uint64_t total; /* bytes copied */
	uint64_t *ret_seqs; /* seqs of the retention records copied */
	size_t nret, cap_ret;
} copy_buf;

static void
copy_buf_free(copy_buf *c)
{
	free(c->buf);
	free(c->heads);
	free(c->ends);
	free(c->old);
	free(c->dropped);
	free(c->ret_seqs);
}

static int
offset_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static bool
dropped_here(const copy_buf *c, uint64_t offset)
{
	return c->ndropped > 0 &&
	       bsearch(&offset, c->dropped, c->ndropped, sizeof *c->dropped,
		       offset_cmp) != NULL;
}

/*
 * Whether the index has the block of z and no drop record for it, and
 * the commit does not drop it either.
 */
static ws_status
block_live(ws_store *st, const copy_buf *c, const ws_zone *z, bool *live,
	   ws_error *err)
{
	ws_zone drop = *z;
	drop.dropped = true;
	bool indexed = false, dropped = dropped_here(c, z->offset);
	for (size_t s = 0; s < st->nsegs && !dropped; s++) {
		bool found;
		ws_status rc = ws__segment_holds(&st->segs[s], z, &found,
						 st->path, err);
		if (rc == WS_OK && !found)
			rc = ws__segment_holds(&st->segs[s], &drop, &dropped,
					       st->path, err);
		if (rc != WS_OK)
			return rc;
		indexed = indexed || found;
	}
	*live = indexed && !dropped;
	return WS_OK;
}

/* Whether the MANIFEST still needs the retention record of block h. */
static bool
retention_kept(const ws_manifest *m, const ws_block_head *h, uint32_t file)
{
	for (size_t i = 0; i < m->nret; i++)
		if (m->ret[i].seq == h->seq && m->ret[i].file == file)
			return true;
	return false;
}

/* Appends what was read, then drops the old places of its blocks. */
static ws_status
flush_copies(ws__writer *w, copy_buf *c, ws_error *err)
{
	if (c->n == 0)
		return WS_OK;
	ws_status rc = ws__writer_append_encoded(w, c->buf, c->len, c->heads,
						 c->ends, c->n, err);
	c->total += c->len;
	for (size_t i = 0; rc == WS_OK && i < c->nold; i++)
		rc = ws__writer_drop(w, &c->old[i], err);
	c->len = c->n = c->nold = 0;
	return rc;
}

/* Reads the block at off (header h) into the copy buffer. */
static ws_status
take_block(int fd, const ws_block_head *h, uint64_t off, const char *where,
	   copy_buf *c, ws_error *err)
{
	size_t size = WS_BLOCK_HEADER + h->stored_len;
	if (ws__grow(&c->buf, &c->cap, c->len + size, 1, err) != WS_OK ||
	    ws__grow(&c->heads, &c->cap_heads, c->n + 1, sizeof *c->heads,
		     err) != WS_OK ||
	    ws__grow(&c->ends, &c->cap_ends, c->n + 1, sizeof *c->ends, err) !=
		    WS_OK)
		return WS_ENOMEM;
	ws_status rc = ws__pread_exact(fd, c->buf + c->len, size, (off_t)off,
				       where, err);
	if (rc != WS_OK)
		return rc;
	c->len += size;
	c->heads[c->n] = *h;
	c->ends[c->n++] = c->len;
	return WS_OK;
}

static ws_status
note_old(copy_buf *c, const ws_zone *z, ws_error *err)
{
	if (ws__grow(&c->old, &c->cap_old, c->nold + 1, sizeof *c->old, err) !=
	    WS_OK)
		return WS_ENOMEM;
	c->old[c->nold++] = *z;
	return WS_OK;
}

static ws_status
note_retention(copy_buf *c, uint64_t seq, ws_error *err)
{
	if (ws__grow(&c->ret_seqs, &c->cap_ret, c->nret + 1, sizeof *c->ret_seqs,
		     err) != WS_OK)
		return WS_ENOMEM;
	c->ret_seqs[c->nret++] = seq;
	return WS_OK;
}

/* Takes the block at off (header h) if it is live or a record in force. */
static ws_status
copy_block(ws_store *st, ws__writer *w, const ws_datafile_ref *f, int fd,
	   uint64_t off, const ws_block_head *h, copy_buf *c, ws_error *err)
{
	char where[WS_WHERE_SIZE];
	ws__name rel;
	ws__data_file(f->id, &rel);
	snprintf(where, sizeof where, "%s/%s: offset %" PRIu64, st->path,
		 rel.rel, off);
	bool take = h->flags == WS_BLOCK_RETENTION &&
		    retention_kept(ws__writer_manifest(w), h, f->id);
	ws_zone z = ws__zone_of_block(h, f->id, off);
	ws_status rc = WS_OK;
	if (h->flags != WS_BLOCK_RETENTION &&
	    (rc = block_live(st, c, &z, &take, err)) != WS_OK)
		return rc;
	if (take && (rc = take_block(fd, h, off, where, c, err)) == WS_OK)
		rc = h->flags == WS_BLOCK_RETENTION ? note_retention(c, h->seq, err)
						    : note_old(c, &z, err);
	if (rc == WS_OK && c->len >= COPY_CHUNK)
		rc = flush_copies(w, c, err);
	return rc;
}

/*
 * The retention records copied from the victim are now in the file
 * appended to (those not copied yet stay where they are).
 */
static void
repoint_retention(ws__writer *w, uint32_t from, const copy_buf *c)
{
	ws_manifest *m = ws__writer_manifest(w);
	uint32_t to = m->data[m->ndata - 1].id;
	for (size_t i = 0; i < m->nret; i++)
		for (size_t k = 0; k < c->nret; k++)
			if (m->ret[i].file == from && m->ret[i].seq == c->ret_seqs[k])
				m->ret[i].file = to;
}

/*
 * Copies the live blocks of f, as many as fit the budget; the file is
 * taken out once the walk reaches its end (a later commit goes on where
 * this one stopped: the blocks it copied are dropped, so not live).
 */
static ws_status
rewrite_file(ws_store *st, ws__writer *w, ws_datafile_ref f, uint64_t budget,
	     uint64_t *copied, ws_error *err)
{
	int fd;
	ws_status rc = ws__store_data_fd(st, f.id, &fd, err);
	if (rc != WS_OK)
		return rc;
	ws__writer_rewrite_file(w, f.id);
	copy_buf c = {0};
	rc = ws__writer_drops_in(w, f.id, &c.dropped, &c.ndropped, err);
	uint64_t off = 0;
	bool end = false;
	ws_block_head h;
	while (rc == WS_OK && *copied + c.total + c.len < budget) {
		rc = ws__walk_next(st, ws__writer_manifest(w), &f, fd, &off, &h,
				   err);
		if (rc == WS_NOTFOUND) {
			end = true;
			rc = WS_OK;
			break;
		}
		if (rc == WS_OK)
			rc = copy_block(st, w, &f, fd, off, &h, &c, err);
		off += WS_BLOCK_HEADER + (uint64_t)h.stored_len;
	}
	if (rc == WS_OK)
		rc = flush_copies(w, &c, err);
	*copied += c.total;
	if (rc == WS_OK)
		repoint_retention(w, f.id, &c);
	copy_buf_free(&c);
	if (rc == WS_OK && end)
		ws__writer_forget_file(w, f.id);
	return rc;
}

ws_status
ws__reclaim(ws_store *st, ws__writer *w, bool thorough, uint64_t budget,
	    bool *rewrote, uint64_t *copied, ws_error *err)
{
	const ws_datafile_ref *f = choose_victim(ws__writer_manifest(w),
						 ws__writer_appending(w),
						 ws__writer_avoided(w), thorough);
	*rewrote = f != NULL;
	if (f == NULL)
		return WS_OK;
	/* A copy: the manifest's array moves as files come and go. */
	ws_datafile_ref victim = *f;
	ws_status rc = rewrite_file(st, w, victim, budget, copied, err);
	if (rc == WS_ECORRUPT)
		ws__err_prefix(err, "%s: data file %" PRIu32 " cannot be "
				    "rewritten to give back space (run "
				    "'ws-reindex %s')",
			       st->path, victim.id, st->path);
	return rc;
}
