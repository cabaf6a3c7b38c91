/*
 * retention.c - the retention records a MANIFEST keeps (warmstore(5),
 * Retention): each hides every point older than its cutoff (of one space,
 * or of all) that was written before it. The list stays short: a record
 * that a later one hides entirely (same or wider scope, same or later
 * cutoff) is dropped as the later one is added, and a full compaction
 * drops them all.
 */
#include "store/store.h"

#include <string.h>

/*
 * Whether b hides every point a hides: b is of a later commit, or of the
 * commit just before a's (nothing was written between them).
 */
static bool
supersedes(const ws__retention *b, const ws__retention *a)
{
	return b->seq + 1 >= a->seq && b->before >= a->before &&
	       (!b->has_space || (a->has_space && a->space == b->space));
}

ws_status
ws__retention_add(ws_manifest *m, const ws__retention *r, ws_error *err)
{
	for (size_t i = 0; i < m->nret; i++)
		if (supersedes(&m->ret[i], r))
			return WS_OK;
	size_t kept = 0;
	for (size_t i = 0; i < m->nret; i++) {
		if (!supersedes(r, &m->ret[i]))
			m->ret[kept++] = m->ret[i];
	}
	m->nret = kept;
	size_t cap = m->nret;
	if (ws__grow(&m->ret, &cap, m->nret + 1, sizeof *m->ret, err) != WS_OK)
		return WS_ENOMEM;
	/* By seq: a rebuild may add an older record after a newer one. */
	size_t at = m->nret;
	while (at > 0 && m->ret[at - 1].seq > r->seq)
		at--;
	memmove(m->ret + at + 1, m->ret + at, (m->nret - at) * sizeof *m->ret);
	m->ret[at] = *r;
	m->nret++;
	return WS_OK;
}

/* Whether r hides what was written at seq in space before its cutoff. */
static bool
applies(const ws__retention *r, uint32_t space, uint64_t seq)
{
	return seq < r->seq && (!r->has_space || r->space == space);
}

bool
ws__retention_covers(const ws_manifest *m, const ws_zone *z)
{
	for (size_t i = 0; i < m->nret; i++)
		if (applies(&m->ret[i], z->space, z->seq) &&
		    z->max_ts < m->ret[i].before)
			return true;
	return false;
}

bool
ws__retention_hides(const ws_manifest *m, uint32_t space, int64_t ts,
		    uint64_t seq)
{
	for (size_t i = 0; i < m->nret; i++)
		if (applies(&m->ret[i], space, seq) && ts < m->ret[i].before)
			return true;
	return false;
}

bool
ws__retention_in_file(const ws_manifest *m, uint32_t id)
{
	for (size_t i = 0; i < m->nret; i++)
		if (m->ret[i].file == id)
			return true;
	return false;
}
