/*
 * retire.c - what a retention commit gives back (warmstore(5),
 * Retention): the index records of the blocks its records hide entirely
 * (every point older than the cutoff and written before it) are left out
 * of the new index, read from the zone map alone, no block decompressed;
 * a data file left with no indexed block and no retention record is
 * taken out of the MANIFEST, to be removed after the switch, without
 * being rewritten. Both are streams over the index: memory holds one
 * flag per data file, not the zone map.
 */
#include "store/store.h"

#include <stdlib.h>

/* Progress is reported once per this many index records, and at the end. */
#define PROGRESS_EVERY 65536u

static void
report(const ws_progress_opts *p, uint64_t done, uint64_t total)
{
	if (p != NULL && p->on_progress != NULL)
		p->on_progress(p->ctx, done, total);
}

/* Marks the data file that holds a block as live. */
static void
note_file(const ws_manifest *m, bool *live, uint32_t file)
{
	for (size_t i = 0; i < m->ndata; i++)
		if (m->data[i].id == file)
			live[i] = true;
}

/*
 * Marks the files that keep an indexed block, and counts the bytes of
 * the blocks the records of m hide entirely as their files' waste.
 */
static ws_status
mark_live_files(ws_store *st, ws_manifest *m, bool *live,
		const ws_progress_opts *progress, ws__retire_counts *n,
		ws_error *err)
{
	uint64_t total = 0, done = 0;
	for (size_t s = 0; s < st->nsegs; s++)
		total += st->segs[s].records;
	ws__zone_merge mg;
	ws_status rc = ws__zone_merge_open(&mg, st->segs, st->nsegs, 1,
					   st->path, err);
	if (rc != WS_OK)
		return rc;
	ws_zone z;
	while ((rc = ws__zone_merge_next(&mg, &z, err)) == WS_OK) {
		/* A pair the merge hid counts as one record read. */
		if (++done % PROGRESS_EVERY == 0)
			report(progress, done, total);
		n->before++;
		if (ws__retention_covers(m, &z)) {
			ws__manifest_add_waste(m, z.file, z.bytes);
		} else {
			note_file(m, live, z.file);
			n->after++;
		}
	}
	ws__zone_merge_free(&mg);
	if (rc == WS_NOTFOUND)
		report(progress, done, total);
	return rc == WS_NOTFOUND ? WS_OK : rc;
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
ws__retire_files(ws_store *st, ws_manifest *m, const ws_zone *fresh,
		 size_t nfresh, uint32_t keep_file,
		 const ws_progress_opts *progress, ws__retire_counts *n,
		 ws_error *err)
{
	*n = (ws__retire_counts){0, 0};
	bool *live = calloc(m->ndata + 1, sizeof *live);
	if (live == NULL)
		return ws__err(err, WS_ENOMEM, "out of memory");
	for (size_t i = 0; i < nfresh; i++)
		if (!fresh[i].dropped) {
			note_file(m, live, fresh[i].file);
			n->after++;
		}
	for (size_t i = 0; i < m->ndata; i++)
		if (m->data[i].id == keep_file ||
		    ws__retention_in_file(m, m->data[i].id))
			live[i] = true;
	ws_status rc = mark_live_files(st, m, live, progress, n, err);
	if (rc == WS_OK)
		drop_dead_files(m, live);
	free(live);
	return rc;
}
