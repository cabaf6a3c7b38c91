/*
 * index.c - index segments: immutable files of fixed-size zone records
 * sorted by (entity, space, seq, min_ts). A reader binary-searches each
 * segment, so finding one series costs O(log n) record reads per segment
 * and never a load of the whole zone map. Each record carries its own
 * CRC, checked whenever it is read.
 */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEG_MAGIC "WSI1"
/*
 * 3: drop records. The top bit of a record's count marks a tombstone
 * block, the next one a drop record, the third a settled one
 * (warmstore(5), Index segments).
 */
#define SEG_VERSION 3
#define TOMBSTONE_BIT 0x80000000u
#define DROP_BIT 0x40000000u
#define SETTLED_BIT 0x20000000u
#define COUNT_BITS (~(TOMBSTONE_BIT | DROP_BIT | SETTLED_BIT))

ws_zone
ws__zone_of_block(const ws_block_head *h, uint32_t file, uint64_t offset)
{
	return (ws_zone){
		.entity = h->entity,
		.space = h->space,
		.file = file,
		.offset = offset,
		.min_ts = h->min_ts,
		.max_ts = h->max_ts,
		.seq = h->seq,
		.count = h->count,
		.bytes = WS_BLOCK_HEADER + h->stored_len,
		.raw_len = h->raw_len,
		.tombstone = h->flags == WS_BLOCK_TOMBSTONE,
	};
}

bool
ws__zone_same_block(const ws_zone *a, const ws_zone *b)
{
	return a->entity == b->entity && a->space == b->space &&
	       a->min_ts == b->min_ts && a->max_ts == b->max_ts &&
	       a->seq == b->seq && a->count == b->count &&
	       a->bytes == b->bytes && a->raw_len == b->raw_len &&
	       a->tombstone == b->tombstone;
}

bool
ws__zone_drops(const ws_zone *a, const ws_zone *b)
{
	return a->dropped != b->dropped && a->file == b->file &&
	       a->offset == b->offset && ws__zone_same_block(a, b);
}

static int
zone_qsort_cmp(const void *a, const void *b)
{
	return ws__zone_cmp(a, b);
}

static ws_status
check_header(const ws_segment *seg, const ws_segment_ref *ref,
	     const char *store, ws_error *err)
{
	const unsigned char *h = seg->map;
	if (memcmp(h, SEG_MAGIC, 4) != 0 || ws__get_u32(h + 60) != ws__crc32(h, 60))
		return ws__err(err, WS_ECORRUPT, "%s/%s: bad segment header",
			       store, seg->name.rel);
	if (ws__get_u16(h + 4) != SEG_VERSION)
		return ws__err(err, WS_ECORRUPT,
			       "%s/%s: unsupported segment version", store,
			       seg->name.rel);
	if (ws__get_u64(h + 8) != ref->records || ws__get_u64(h + 16) != ref->id)
		return ws__err(err, WS_ECORRUPT,
			       "%s/%s: segment does not match the manifest",
			       store, seg->name.rel);
	return WS_OK;
}

/* Words of a segment's bitmap of touched windows, for a file of len bytes. */
static size_t
touched_words(size_t len)
{
	return ((len >> WS_SEG_WINDOW_SHIFT) + 1) / 64 + 1;
}

ws_status
ws__segment_open(int indexdirfd, const char *store, const ws_segment_ref *ref,
		 ws_segment *seg, ws_error *err)
{
	memset(seg, 0, sizeof *seg);
	ws__segment_file(ref->id, &seg->name);
	seg->id = ref->id;
	seg->records = ref->records;
	int fd = ws__openat_regular(indexdirfd, seg->name.base,
				    O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0) {
		if (errno == ENOENT)
			return ws__err(err, WS_NOTFOUND,
				       "%s/%s: No such file or directory",
				       store, seg->name.rel);
		return ws__errno(err, errno, "%s/%s: open", store, seg->name.rel);
	}
	struct stat sb;
	ws_status rc = WS_OK;
	if (fstat(fd, &sb) != 0)
		rc = ws__errno(err, errno, "%s/%s: stat", store, seg->name.rel);
	else if (!S_ISREG(sb.st_mode) ||
		 ref->records > (UINT64_MAX - WS_SEG_HEADER) / WS_SEG_RECORD ||
		 (uint64_t)sb.st_size !=
			 WS_SEG_HEADER + ref->records * WS_SEG_RECORD)
		rc = ws__err(err, WS_ECORRUPT,
			     "%s/%s: size does not match %" PRIu64 " records",
			     store, seg->name.rel, ref->records);
	if (rc == WS_OK) {
		seg->verified = calloc(ref->records / 64 + 1, sizeof *seg->verified);
		seg->touched = calloc(touched_words((size_t)sb.st_size),
				      sizeof *seg->touched);
		if (seg->verified == NULL || seg->touched == NULL)
			rc = ws__err(err, WS_ENOMEM, "out of memory");
	}
	if (rc == WS_OK) {
		seg->map_len = (size_t)sb.st_size;
		void *map = mmap(NULL, seg->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED)
			rc = ws__errno(err, errno, "%s/%s: mmap", store,
				       seg->name.rel);
		else
			seg->map = map;
	}
	ws__close(fd);
	if (rc == WS_OK)
		rc = check_header(seg, ref, store, err);
	if (rc != WS_OK)
		ws__segment_close(seg);
	return rc;
}

void
ws__segment_close(ws_segment *seg)
{
	if (seg->map != NULL)
		munmap((void *)seg->map, seg->map_len);
	seg->map = NULL;
	free((void *)seg->verified);
	seg->verified = NULL;
	free((void *)seg->touched);
	seg->touched = NULL;
}

void
ws__segments_bound(ws__seg_pages *pages, ws_segment *segs, size_t n)
{
	pages->windows = 0;
	pages->segs = segs;
	pages->nsegs = n;
	for (size_t i = 0; i < n; i++)
		segs[i].pages = pages;
}

/* Unmaps the pages of every segment under the bound (only advice). */
static void
drop_pages(ws__seg_pages *pages)
{
	pages->windows = 0;
	for (size_t i = 0; i < pages->nsegs; i++) {
		const ws_segment *seg = &pages->segs[i];
		for (size_t w = 0, n = touched_words(seg->map_len); w < n; w++)
			seg->touched[w] = 0;
		/* A failure leaves them mapped: the bound is a goal, not a need. */
		(void)madvise((void *)seg->map, seg->map_len, MADV_DONTNEED);
	}
}

/* Counts the window of the byte at off, about to be read. */
static void
touch(const ws_segment *seg, size_t off)
{
	size_t w = off >> WS_SEG_WINDOW_SHIFT;
	uint64_t bit = UINT64_C(1) << (w % 64);
	if (seg->pages == NULL || (seg->touched[w / 64] & bit) ||
	    (atomic_fetch_or(&seg->touched[w / 64], bit) & bit))
		return;
	if (atomic_fetch_add(&seg->pages->windows, 1) + 1 > WS_SEG_WINDOWS)
		drop_pages(seg->pages);
}

/*
 * The CRC of record i: its 60 bytes, then i as 8 little-endian bytes. A
 * record moved to another place fails it, so that the order a binary
 * search relies on cannot be changed unseen.
 */
static uint32_t
record_crc(const unsigned char *p, uint64_t i)
{
	unsigned char pos[8];
	ws__put_u64(pos, i);
	return ws__crc32_more(ws__crc32(p, 60), pos, sizeof pos);
}

static void
put_record(unsigned char *p, const ws_zone *z, uint64_t i)
{
	ws__put_u64(p, z->entity);
	ws__put_u32(p + 8, z->space);
	ws__put_u32(p + 12, z->file);
	ws__put_u64(p + 16, z->offset);
	ws__put_u64(p + 24, (uint64_t)z->min_ts);
	ws__put_u64(p + 32, (uint64_t)z->max_ts);
	ws__put_u64(p + 40, z->seq);
	ws__put_u32(p + 48, z->count | (z->tombstone ? TOMBSTONE_BIT : 0) |
				    (z->dropped ? DROP_BIT : 0) |
				    (z->settled ? SETTLED_BIT : 0));
	ws__put_u32(p + 52, z->bytes);
	ws__put_u32(p + 56, z->raw_len);
	ws__put_u32(p + 60, record_crc(p, i));
}

ws_status
ws__segment_record(const ws_segment *seg, uint64_t i, ws_zone *z,
		   const char *store, ws_error *err)
{
	size_t off = WS_SEG_HEADER + (size_t)i * WS_SEG_RECORD;
	touch(seg, off);
	const unsigned char *p = seg->map + off;
	uint64_t bit = UINT64_C(1) << (i % 64);
	if (!(seg->verified[i / 64] & bit)) {
		if (ws__get_u32(p + 60) != record_crc(p, i))
			return ws__err(err, WS_ECORRUPT,
				       "%s/%s: record %" PRIu64 ": CRC mismatch",
				       store, seg->name.rel, i);
		seg->verified[i / 64] |= bit;
	}
	z->entity = ws__get_u64(p);
	z->space = ws__get_u32(p + 8);
	z->file = ws__get_u32(p + 12);
	z->offset = ws__get_u64(p + 16);
	z->min_ts = (int64_t)ws__get_u64(p + 24);
	z->max_ts = (int64_t)ws__get_u64(p + 32);
	z->seq = ws__get_u64(p + 40);
	uint32_t count = ws__get_u32(p + 48);
	z->count = count & COUNT_BITS;
	z->tombstone = (count & TOMBSTONE_BIT) != 0;
	z->dropped = (count & DROP_BIT) != 0;
	z->settled = z->dropped && (count & SETTLED_BIT) != 0;
	z->bytes = ws__get_u32(p + 52);
	z->raw_len = ws__get_u32(p + 56);
	if (z->min_ts > z->max_ts || z->count == 0 ||
	    z->bytes <= WS_BLOCK_HEADER)
		return ws__err(err, WS_ECORRUPT,
			       "%s/%s: record %" PRIu64 ": fields out of range",
			       store, seg->name.rel, i);
	return WS_OK;
}

/*
 * The first record of the segment that before() does not put before key
 * (records are sorted, so those it does all come first).
 */
static ws_status
search(const ws_segment *seg, bool (*before)(const ws_zone *, const void *),
       const void *key, uint64_t *pos, ws_zone *at, const char *store,
       ws_error *err)
{
	uint64_t lo = 0, hi = seg->records;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		ws_zone z;
		ws_status rc = ws__segment_record(seg, mid, &z, store, err);
		if (rc != WS_OK)
			return rc;
		if (before(&z, key)) {
			lo = mid + 1;
		} else {
			hi = mid;
			*at = z;
		}
	}
	*pos = lo;
	return WS_OK;
}

typedef struct series_key {
	uint64_t entity;
	uint32_t space;
} series_key;

static bool
series_before(const ws_zone *z, const void *key)
{
	const series_key *k = key;
	return z->entity < k->entity ||
	       (z->entity == k->entity && z->space < k->space);
}

ws_status
ws__segment_lower_bound(const ws_segment *seg, uint64_t entity,
			uint32_t space, uint64_t *pos, const char *store,
			ws_error *err)
{
	ws_zone at;
	return search(seg, series_before, &(series_key){entity, space}, pos, &at,
		      store, err);
}

static bool
zone_before(const ws_zone *z, const void *key)
{
	return ws__zone_cmp(z, key) < 0;
}

ws_status
ws__segment_holds(const ws_segment *seg, const ws_zone *z, bool *found,
		  const char *store, ws_error *err)
{
	uint64_t pos;
	ws_zone at;
	ws_status rc = search(seg, zone_before, z, &pos, &at, store, err);
	*found = rc == WS_OK && pos < seg->records && ws__zone_cmp(&at, z) == 0;
	return rc;
}

/* A segment file being written through a fixed buffer. */
typedef struct seg_out {
	int fd;
	const char *name;
	unsigned char buf[WS_SEG_RECORD * 1024];
	size_t len;
	uint64_t records; /* written so far: the next one's position */
} seg_out;

static ws_status
out_flush(seg_out *o, ws_error *err)
{
	ws_status rc = ws__write_all(o->fd, o->buf, o->len, o->name, err);
	o->len = 0;
	return rc;
}

static ws_status
out_record(seg_out *o, const ws_zone *z, ws_error *err)
{
	if (o->len == sizeof o->buf) {
		ws_status rc = out_flush(o, err);
		if (rc != WS_OK)
			return rc;
	}
	put_record(o->buf + o->len, z, o->records++);
	o->len += WS_SEG_RECORD;
	return WS_OK;
}

/*
 * What the merge into a new segment does with the drop record it just
 * yielded: once it has met its block's record it is settled (no segment
 * holds that record any more), and a settled one goes once the block's
 * data file is gone, since nothing is left for it to hide.
 */
static bool
keep_drop(const ws__zone_merge *m, ws_zone *z, const ws_manifest *live,
	  bool retire)
{
	/* What retention hides entirely needs no record, nor a drop record. */
	if (retire && ws__retention_covers(live, z))
		return false;
	if (!z->dropped)
		return true;
	z->settled = z->settled || m->drop_paired;
	return !z->settled || live == NULL ||
	       ws__manifest_datafile(live, z->file) != NULL;
}

/*
 * The records in order: the fresh (sorted) zones merged with the records
 * of segs, each read (and CRC-checked) once; the pages read stay within
 * the store's bound (ws__seg_pages) however large the merged segments
 * are, and the output goes through a fixed buffer. A dropped block's
 * record goes and its drop record stays while its data file does
 * (warmstore(5)).
 */
static ws_status
merge_records(seg_out *o, const ws_zone *fresh, size_t nfresh,
	      const ws_segment *segs, size_t nsegs, const ws_manifest *live,
	      bool retire, const char *store, ws_error *err)
{
	ws__zone_merge m;
	ws_status rc = ws__zone_merge_open(&m, segs, nsegs, 1, store, err);
	if (rc != WS_OK)
		return rc;
	ws__zone_merge_fresh(&m, fresh, nfresh);
	m.keep_drops = true;
	ws_zone z;
	while ((rc = ws__zone_merge_next(&m, &z, err)) == WS_OK)
		if (keep_drop(&m, &z, live, retire) &&
		    (rc = out_record(o, &z, err)) != WS_OK)
			break;
	ws__zone_merge_free(&m);
	return rc == WS_NOTFOUND ? WS_OK : rc;
}

static void
put_header(unsigned char *h, uint64_t id, uint64_t records)
{
	memset(h, 0, WS_SEG_HEADER);
	memcpy(h, SEG_MAGIC, 4);
	ws__put_u16(h + 4, SEG_VERSION);
	ws__put_u64(h + 8, records);
	ws__put_u64(h + 16, id);
	ws__put_u32(h + 60, ws__crc32(h, 60));
}

/* Writes the records after a header, which then gets their number. */
static ws_status
write_segment(seg_out *o, uint64_t id, const ws_zone *fresh, size_t nfresh,
	      const ws_segment *segs, size_t nsegs, const ws_manifest *live,
	      bool retire, const char *store, ws_error *err)
{
	put_header(o->buf, id, 0);
	o->len = WS_SEG_HEADER;
	o->records = 0;
	ws_status rc = merge_records(o, fresh, nfresh, segs, nsegs, live, retire,
				     store, err);
	if (rc == WS_OK)
		rc = out_flush(o, err);
	unsigned char h[WS_SEG_HEADER];
	put_header(h, id, o->records);
	if (rc == WS_OK)
		rc = ws__pwrite_all(o->fd, h, sizeof h, 0, o->name, err);
	return rc == WS_OK ? ws__fsync(o->fd, o->name, err) : rc;
}

ws_status
ws__segment_write_merged(int indexdirfd, const char *store, uint64_t id,
			 ws_zone *fresh, size_t nfresh, const ws_segment *segs,
			 size_t nsegs, const ws_manifest *live, bool retire,
			 uint64_t *records, ws_error *err)
{
	ws__name rel;
	char name[WS_PATH_SIZE];
	ws__segment_file(id, &rel);
	ws__store_path(name, store, rel.rel);
	ws__sort(fresh, nfresh, sizeof *fresh, zone_qsort_cmp);
	seg_out *o = ws__malloc(sizeof *o, err);
	if (o == NULL)
		return WS_ENOMEM;
	o->name = name;
	/* The file is not named by any manifest yet: no temporary needed. */
	o->fd = ws__openat_regular(indexdirfd, rel.base,
				   O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
					   O_CLOEXEC,
				   0666);
	ws_status rc;
	if (o->fd < 0) {
		rc = ws__errno(err, errno, "%s: open", name);
	} else {
		rc = write_segment(o, id, fresh, nfresh, segs, nsegs, live,
				   retire, store, err);
		if (ws__close(o->fd) != 0 && rc == WS_OK)
			rc = ws__errno(err, errno, "%s: close", name);
	}
	if (records != NULL)
		*records = o->records;
	free(o);
	return rc;
}

ws_status
ws__segment_write(int indexdirfd, const char *store, uint64_t id,
		  ws_zone *zones, size_t n, ws_error *err)
{
	return ws__segment_write_merged(indexdirfd, store, id, zones, n, NULL, 0,
					NULL, false, NULL, err);
}
