/*
 * retire.c - what a retention commit gives back (warmstore(5),
 * Retention): the index records of the blocks its records hide entirely
 * (every point older than the cutoff and written before it) are left out
 * of the new index, read from the zone map alone, no block decompressed;
 * a data file left with no indexed block and no retention record is
 * taken out of the MANIFEST, to be removed after the switch, without
 * being rewritten.
 */
#include "store/store.h"

#include <stdlib.h>

/* Marks the data files that still hold an indexed block. */
static void
note_file(const ws_manifest *m, bool *live, uint32_t file)
{
	for (size_t i = 0; i < m->ndata; i++)
		if (m->data[i].id == file)
			live[i] = true;
}

/* Progress is reported once per this many index records, and at the end. */
#define PROGRESS_EVERY 65536u

static void
report(const ws_progress_opts *p, uint64_t done, uint64_t total)
{
	if (p != NULL && p->on_progress != NULL)
		p->on_progress(p->ctx, done, total);
}

static ws_status
keep_committed(ws_store *st, ws_manifest *m, ws_zone **zones,
	       size_t *n, size_t *cap, bool *live,
	       const ws_progress_opts *progress, ws_error *err)
{
	uint64_t total = 0, done = 0;
	for (size_t s = 0; s < st->nsegs; s++)
		total += st->segs[s].records;
	ws__zone_merge mg;
	ws_status rc = ws__zone_merge_open(&mg, st->segs, st->nsegs, 1,
					   st->path, err);
	if (rc != WS_OK)
		return rc;
	mg.forget_read = true;
	mg.keep_drops = true;
	ws_zone z;
	while ((rc = ws__zone_merge_next(&mg, &z, err)) == WS_OK) {
		/* A pair the merge hid counts as one record read. */
		if (++done % PROGRESS_EVERY == 0)
			report(progress, done, total);
		if (!z.dropped && ws__retention_covers(m, &z)) {
			ws__manifest_add_waste(m, z.file, z.bytes);
			continue;
		}
		if (ws__grow(zones, cap, *n + 1, sizeof **zones, err) != WS_OK) {
			rc = WS_ENOMEM;
			break;
		}
		/* The new index is the whole index: no older segment stays. */
		z.settled = z.dropped;
		(*zones)[(*n)++] = z;
		if (!z.dropped)
			note_file(m, live, z.file);
	}
	ws__zone_merge_free(&mg);
	if (rc == WS_NOTFOUND)
		report(progress, done, total);
	return rc == WS_NOTFOUND ? WS_OK : rc;
}

/*
 * Drop records stay while their block's file does (the block is still on
 * disk, and ws-reindex must find it accounted for); those of the files
 * that go, go with them.
 */
static void
drop_spent_drops(const ws_manifest *m, const bool *live, ws_zone *zones,
		 size_t *n)
{
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++) {
		bool keep = !zones[i].dropped;
		for (size_t f = 0; !keep && f < m->ndata; f++)
			keep = m->data[f].id == zones[i].file && live[f];
		if (keep)
			zones[kept++] = zones[i];
	}
	*n = kept;
}

/* Takes the files marked dead out of m, with their quarantined ranges. */
static void
drop_dead_files(ws_manifest *m, const bool *live)
{
	size_t kept = 0, qkept = 0;
	for (size_t q = 0; q < m->nquar; q++)
		for (size_t i = 0; i < m->ndata; i++)
			if (m->data[i].id == m->quar[q].id && live[i])
				m->quar[qkept++] = m->quar[q];
	m->nquar = qkept;
	for (size_t i = 0; i < m->ndata; i++)
		if (live[i])
			m->data[kept++] = m->data[i];
	m->ndata = kept;
}

ws_status
ws__retire_zones(ws_store *st, ws_manifest *m, ws_zone **zones, size_t *n,
		 size_t *cap, uint32_t keep_file, const ws_progress_opts *progress,
		 ws_error *err)
{
	bool *live = calloc(m->ndata + 1, sizeof *live);
	if (live == NULL)
		return ws__err(err, WS_ENOMEM, "out of memory");
	for (size_t i = 0; i < *n; i++)
		if (!(*zones)[i].dropped)
			note_file(m, live, (*zones)[i].file);
	for (size_t i = 0; i < m->ndata; i++)
		if (m->data[i].id == keep_file ||
		    ws__retention_in_file(m, m->data[i].id))
			live[i] = true;
	ws_status rc = keep_committed(st, m, zones, n, cap, live, progress, err);
	if (rc == WS_OK) {
		drop_spent_drops(m, live, *zones, n);
		drop_dead_files(m, live);
	}
	free(live);
	return rc;
}
