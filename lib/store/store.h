/*
 * store.h - the store layer: file names, the MANIFEST, index segments and
 * their merge, the writer lock, lost+found, the open store handle, the
 * series cursor (where the newest write wins) and the writer that
 * publishes new blocks (see warmstore(5)).
 *
 * Owns: the .c files of lib/store/. May call: the codec and common layers.
 * The layers above it (query, write, repair) call it and never each other.
 */
#ifndef WS_STORE_H
#define WS_STORE_H

#include "codec/codec.h"

/* --- file names (names.c) ------------------------------------------ */

#define WS_DATA_DIR "data"
#define WS_INDEX_DIR "index"

/* Room for "index/" and a 16-digit id with its suffix, and then some. */
#define WS_NAME_SIZE 40

/* A store file's name relative to the store, and its part in its dir. */
typedef struct ws__name {
	char rel[WS_NAME_SIZE]; /* "data/00000001.wsd" */
	const char *base;       /* "00000001.wsd", inside rel */
} ws__name;

void ws__data_file(uint32_t id, ws__name *n);
void ws__segment_file(uint64_t id, ws__name *n);

/* "STORE/REL", the form in which messages name a store's files. */
const char *ws__store_path(char buf[WS_PATH_SIZE], const char *store,
			   const char *rel);
/* "STORE/REL: offset N", the form in which messages name a block. */
const char *ws__store_offset(char buf[WS_PATH_SIZE], const char *store,
			     const char *rel, uint64_t offset);

/* --- the manifest (manifest.c) ------------------------------------- */

typedef struct ws_datafile_ref {
	uint32_t id;
	uint64_t length; /* committed bytes */
	/*
	 * Of them, bytes that no reader needs: dropped blocks and the commit
	 * records before the last. An estimate, kept by the writers, that
	 * decides when the file is rewritten (warmstore(5), Reclaiming).
	 */
	uint64_t waste;
} ws_datafile_ref;

typedef struct ws_segment_ref {
	uint64_t id;
	uint64_t records;
} ws_segment_ref;

typedef struct ws_space_dim {
	uint32_t space;
	uint32_t dim;
} ws_space_dim;

/*
 * Bytes of a data file that ws-reindex found damaged and copied to
 * lost+found: they stay in the file (data files are append-only) but no
 * index record points into them, and a scan skips them.
 */
typedef struct ws_quarantine {
	uint32_t id; /* data file */
	uint64_t offset, length;
} ws_quarantine;

typedef struct ws_manifest {
	uint64_t generation; /* bumped by every commit */
	uint64_t next_seq;   /* seq of the next commit's blocks */
	uint64_t next_segment;
	ws_datafile_ref *data;
	size_t ndata;
	ws_segment_ref *segs; /* oldest first */
	size_t nsegs;
	ws_space_dim *spaces; /* sorted by space */
	size_t nspaces, cap_spaces;
	ws_quarantine *quar; /* sorted by (id, offset), disjoint */
	size_t nquar;
	/* Retention records in force, by seq; none superseded (retention.c). */
	ws__retention *ret;
	size_t nret;
} ws_manifest;

#define WS_MANIFEST "MANIFEST"
#define WS_MANIFEST_MAX (64u * 1024u * 1024u)

void ws__manifest_init(ws_manifest *m);
void ws__manifest_free(ws_manifest *m);
ws_status ws__manifest_copy(ws_manifest *dst, const ws_manifest *src,
			    ws_error *err);
/* Loads STORE/MANIFEST; ENOENT is WS_NOTFOUND. store names the store. */
/* Loads the MANIFEST from fd, already open and stat'ed as sb. */
ws_status ws__manifest_load_fd(int fd, const struct stat *sb,
			       const char *store, ws_manifest *m,
			       ws_error *err);
ws_status ws__manifest_load(int dirfd, const char *store, ws_manifest *m,
			    ws_error *err);
ws_status ws__manifest_save(int dirfd, const char *store,
			    const ws_manifest *m, ws_error *err);
/* Committed bytes of all data files. */
uint64_t ws__manifest_data_bytes(const ws_manifest *m);
/* 0 when the space has no dimension yet. */
uint32_t ws__manifest_dim(const ws_manifest *m, uint32_t space);
ws_status ws__manifest_set_dim(ws_manifest *m, uint32_t space, uint32_t dim,
			       ws_error *err);
const ws_datafile_ref *ws__manifest_datafile(const ws_manifest *m,
					     uint32_t id);
/* Counts bytes of data file id as waste (at most its length). */
void ws__manifest_add_waste(ws_manifest *m, uint32_t id, uint64_t bytes);

/* --- retention records (retention.c) -------------------------------- */

struct ws_zone;

/*
 * Adds r to m's records, dropping those it supersedes (an older record
 * whose points r hides too); one that a record of m supersedes is not
 * added.
 */
ws_status ws__retention_add(ws_manifest *m, const ws__retention *r,
			    ws_error *err);
/* Whether a record of m hides every point of the block z describes. */
bool ws__retention_covers(const ws_manifest *m, const struct ws_zone *z);
/* Whether a record of m hides a point at ts of space written at seq. */
bool ws__retention_hides(const ws_manifest *m, uint32_t space, int64_t ts,
			 uint64_t seq);
/* Whether a record of m names data file id as the one holding it. */
bool ws__retention_in_file(const ws_manifest *m, uint32_t id);

/* --- index segments (index.c) -------------------------------------- */

#define WS_SEG_HEADER 64
#define WS_SEG_RECORD 64

/* One zone-map entry: where a block is and what it holds. */
typedef struct ws_zone {
	uint64_t entity;
	uint32_t space;
	uint32_t file;
	uint64_t offset;
	int64_t min_ts, max_ts;
	uint64_t seq;
	uint32_t count;
	uint32_t bytes;
	uint32_t raw_len;
	/* A tombstone block: count is its number of ranges (warmstore(5)). */
	bool tombstone;
	/*
	 * A drop record: the block it names (every other field as in that
	 * block's record) is no longer part of the store (warmstore(5), Drop
	 * records). A merge of segments hides the pair.
	 */
	bool dropped;
	/* A drop record whose block's record no segment holds any more. */
	bool settled;
} ws_zone;

/*
 * The mapped pages of a store's segments, kept to a bound: every page a
 * lookup touches stays mapped, and counts in the process's RSS, until
 * the segment closes, and a commit that looks up 10,000 series in a
 * segment of 22 MB touches all of it. When the 64 KiB windows touched
 * (the kernel maps a fault's neighbours with it) pass WS_SEG_WINDOWS,
 * every segment's pages are dropped (they stay in the page cache).
 * Writers only: 10,000 random gets from a store whose index is larger
 * than the bound would map the top levels of their searches again and
 * again, while a writer's lookups come in key order.
 */
#define WS_SEG_WINDOW_SHIFT 16
#define WS_SEG_WINDOWS 64 /* 4 MiB */
typedef struct ws__seg_pages {
	_Atomic size_t windows; /* touched since the last drop */
	struct ws_segment *segs;
	size_t nsegs;
} ws__seg_pages;

/* An open, immutable, memory-mapped segment. */
typedef struct ws_segment {
	uint64_t id;
	uint64_t records;
	const unsigned char *map;
	size_t map_len;
	/* One bit per window touched since the last drop; pages NULL: none
	 * kept (a segment opened alone). Atomic as verified is. */
	_Atomic uint64_t *touched;
	ws__seg_pages *pages;
	/*
	 * One bit per record whose CRC has been checked: every binary search
	 * passes through the same few records, and checking them once, not
	 * once per lookup, takes a third off a run of many gets. Atomic: the
	 * lookups of ws-get run on two threads (ws__store_reads_shared).
	 */
	_Atomic uint64_t *verified;
	ws__name name; /* for messages, after "STORE/" */
} ws_segment;

/* The zone of the block whose header is h, at offset of data file file. */
ws_zone ws__zone_of_block(const ws_block_head *h, uint32_t file,
			  uint64_t offset);
/* Whether two zones describe the same block (where it lies aside). */
bool ws__zone_same_block(const ws_zone *a, const ws_zone *b);
/* Whether one of a, b is the drop record of the other. */
bool ws__zone_drops(const ws_zone *a, const ws_zone *b);

ws_status ws__segment_open(int indexdirfd, const char *store,
			   const ws_segment_ref *ref, ws_segment *seg,
			   ws_error *err);
void ws__segment_close(ws_segment *seg);
/* Puts the n open segments under one bound of mapped pages. */
void ws__segments_bound(ws__seg_pages *pages, ws_segment *segs, size_t n);
/* Reads record i, verifying its CRC the first time it is read. */
ws_status ws__segment_record(const ws_segment *seg, uint64_t i,
			     ws_zone *z, const char *store, ws_error *err);
/* First record whose (entity, space) is >= the given one. */
ws_status ws__segment_lower_bound(const ws_segment *seg, uint64_t entity,
				  uint32_t space, uint64_t *pos,
				  const char *store, ws_error *err);
/* Whether the segment holds a record equal to z (ws__zone_cmp). */
ws_status ws__segment_holds(const ws_segment *seg, const ws_zone *z,
			    bool *found, const char *store, ws_error *err);
/*
 * Writes a new segment file holding the fresh zones (sorted here) and
 * the records of segs, merged in a stream, and fsyncs it: a dropped
 * block's record is left out, and so is its drop record once its data
 * file is not in live (NULL: keep them); with retire, also the zones
 * that live's retention records hide entirely. *records (if not NULL)
 * counts what was written.
 */
ws_status ws__segment_write_merged(int indexdirfd, const char *store,
				   uint64_t id, ws_zone *fresh, size_t nfresh,
				   const ws_segment *segs, size_t nsegs,
				   const ws_manifest *live, bool retire,
				   uint64_t *records, ws_error *err);
/* Writes a new segment file with zones (sorted here) and fsyncs it. */
ws_status ws__segment_write(int indexdirfd, const char *store, uint64_t id,
			    ws_zone *zones, size_t n, ws_error *err);

/* --- the merge of index segments (zonemerge.c) --------------------- */

/* The total order of zone records: entity, space, seq, min_ts, place. */
int ws__zone_cmp(const ws_zone *a, const ws_zone *b);

/* Where a merge stands in one segment. */
struct ws__merge_pos {
	uint64_t next; /* next record (forward) or one past it (reverse) */
	bool loaded;   /* the head below holds the record at next */
	bool has;      /* the segment has a record left */
};

/*
 * A k-way merge of segments, and optionally of a sorted array of fresh
 * zones, in ws__zone_cmp order (dir +1) or its reverse (dir -1).
 */
typedef struct ws__zone_merge {
	const ws_segment *segs;
	size_t nsegs;
	int dir;
	const char *store; /* names the store in messages */
	struct ws__merge_pos *pos; /* one per segment */
	ws_zone *head;             /* the record at pos, per segment */
	const ws_zone *fresh;      /* forward merges only */
	size_t nfresh, next_fresh;
	/*
	 * Yield drop records (never the records they drop): for the writers
	 * of segments, which must keep them while their blocks are on disk.
	 * drop_paired tells whether the last one yielded met its block's
	 * record in this merge.
	 */
	bool keep_drops;
	bool drop_paired;
	/* What next returns, when peek has looked ahead. */
	bool has_ahead;
	ws_zone ahead;
	bool ahead_paired;
} ws__zone_merge;

ws_status ws__zone_merge_open(ws__zone_merge *m, const ws_segment *segs,
			      size_t nsegs, int dir, const char *store,
			      ws_error *err);
/* Adds fresh zones, sorted by ws__zone_cmp, to a forward merge. */
void ws__zone_merge_fresh(ws__zone_merge *m, const ws_zone *fresh, size_t n);
/* Moves every segment of a forward merge to its first (entity, space). */
ws_status ws__zone_merge_seek(ws__zone_merge *m, uint64_t entity,
			      uint32_t space, ws_error *err);
/* Moves every segment of a reverse merge to the end of (entity, space). */
ws_status ws__zone_merge_seek_end(ws__zone_merge *m, uint64_t entity,
				  uint32_t space, ws_error *err);
/* The next zone, WS_NOTFOUND when done; peek leaves it in place. */
ws_status ws__zone_merge_next(ws__zone_merge *m, ws_zone *z, ws_error *err);
ws_status ws__zone_merge_peek(ws__zone_merge *m, ws_zone *z, ws_error *err);
void ws__zone_merge_free(ws__zone_merge *m);

/* --- the lock (lock.c) --------------------------------------------- */

ws_status ws__lock_acquire(int dirfd, const char *store, int *fd,
			   ws_error *err);
void ws__lock_release(int *fd);

/* --- the store (store.c) ------------------------------------------- */

struct ws_store {
	char *path;
	int dirfd, datadirfd, indexdirfd;
	bool writable;
	ws_manifest man;
	ws_segment *segs;
	size_t nsegs;
	ws__seg_pages seg_pages;
	int *data_fds; /* parallel to man.data; -1 until first opened */
	size_t ndata_fds;
	size_t open_data;     /* of data_fds, open now: at most max_open_data */
	size_t max_open_data; /* ws__data_fd_bound() */
	size_t evict_next;    /* where the search for one to close starts */
	/* Counts the snapshots loaded: a block decoded in an older one is
	 * not reused (see cursor.c). */
	uint64_t snapshot;
	ws_cursor *get_cursor; /* kept across ws_store_get calls */
	/* By ws__store_read_block, for the tests; atomic as verified is. */
	_Atomic uint64_t blocks_read;
	/*
	 * The MANIFEST as opened before the last load, held open so that its
	 * inode number cannot be given to a later MANIFEST: a MANIFEST with
	 * another inode means a commit since.
	 */
	int man_fd;
	struct stat man_stat;
};

/* --- lost+found (lost.c) ------------------------------------------ */

#define WS_LOST_DIR "lost+found"

/* Opens STORE/lost+found, creating it (durably) when missing. */
ws_status ws__open_lost_dir(int dirfd, const char *store, int *fd,
			    ws_error *err);
/*
 * Moves data files ids[0..n) from data/ into lost+found under their own
 * names (or name.1, name.2 ... when taken) and fsyncs both directories.
 */
/*
 * Bytes of the files in STORE/lost+found (0 when it is missing): what a
 * repair kept aside, reported so that the space it takes is seen.
 */
ws_status ws__lost_bytes(int dirfd, const char *store, uint64_t *bytes,
			 ws_error *err);
ws_status ws__move_to_lost(int dirfd, int datadirfd, const char *store,
			   const uint32_t *ids, size_t n, ws_error *err);

/* Reloads the manifest and reopens the segments it names. */
ws_status ws__store_reload(ws_store *st, ws_error *err);
/* Reloads only if the MANIFEST was replaced since the last load. */
ws_status ws__store_refresh(ws_store *st, ws_error *err);

/* The data file descriptor for id, opened on first use. */
ws_status ws__store_data_fd(ws_store *st, uint32_t id, int *fd,
			    ws_error *err);
/*
 * Reads and decodes the block of a zone, checking it against the zone;
 * its vectors are decoded by ws__store_block_rows, for the rows needed.
 */
ws_status ws__store_read_block(ws_store *st, const ws_zone *z, ws_block *blk,
			       ws_error *err);
/*
 * Whether two threads may read blocks of the snapshot at once, each with
 * its own cursor: when every data file is open, ws__store_read_block
 * opens and closes none, and what else it and the cursors touch of st is
 * read only or atomic.
 */
bool ws__store_reads_shared(const ws_store *st);
/* Decodes the vectors of rows [lo, hi) of a block read from zone z. */
ws_status ws__store_block_rows(const ws_store *st, const ws_zone *z,
			       ws_block *blk, size_t lo, size_t hi,
			       ws_error *err);


/* --- the writer (writer.c) ------------------------------------------ */

/*
 * A writer publishes new blocks as one commit: ws__writer_begin takes the
 * writer lock and starts from the committed state, ws__writer_append adds
 * sorted batches as blocks, ws__writer_publish switches the MANIFEST, and
 * ws__writer_end discards what an unpublished attempt wrote and unlocks.
 */
typedef struct ws__writer ws__writer;

/* Blocks of the zone map before and after a retention commit. */
typedef struct ws__retire_counts {
	uint64_t before, after;
} ws__retire_counts;

ws_status ws__writer_begin(ws_store *st, ws__writer **out, ws_error *err);
/* The manifest the writer will publish (spaces' dimensions, data files). */
ws_manifest *ws__writer_manifest(ws__writer *w);
/* Appends a batch sorted by ws__batch_sort_dedup as blocks, durably. */
ws_status ws__writer_append(ws__writer *w, const ws_batch *b, ws_error *err);
/* Blocks appended so far. */
uint64_t ws__writer_blocks(const ws__writer *w);
ws_status ws__writer_publish(ws__writer *w, ws_error *err);
/* The seq the writer's blocks carry. */
uint64_t ws__writer_seq(const ws__writer *w);
/*
 * Appends encoded blocks (tombstones, a retention record) that lie back
 * to back in buf, block i ending at ends[i], durably.
 */
ws_status ws__writer_append_encoded(ws__writer *w, const unsigned char *buf,
				    size_t len, ws_block_head *heads,
				    size_t *ends, size_t n, ws_error *err);
/*
 * Makes publish drop from the index every committed block that the
 * retention records of the writer's manifest hide, and the data files
 * left holding nothing (retire.c).
 */
void ws__writer_drop_retained(ws__writer *w, const ws_progress_opts *progress);
/* What that dropped: blocks of the zone map before and after publish. */
ws__retire_counts ws__writer_retired(const ws__writer *w);
/*
 * Makes the commit drop a committed block (z its zone): its drop record
 * goes into the new segment and its bytes count as the file's waste.
 */
ws_status ws__writer_drop(ws__writer *w, const ws_zone *z, ws_error *err);
/* The offsets, sorted, of the blocks of data file file this attempt drops. */
ws_status ws__writer_drops_in(const ws__writer *w, uint32_t file,
			      uint64_t **offsets, size_t *n, ws_error *err);
/* The data file the attempt appends to already, or 0. */
uint32_t ws__writer_appending(const ws__writer *w);
/* Whether the attempt has anything to publish. */
bool ws__writer_changes(const ws__writer *w);
/* Appends go to a new data file while data file id is being rewritten. */
void ws__writer_rewrite_file(ws__writer *w, uint32_t id);
/* Nor do they go to data file id (one a compaction empties), nor does a
 * reclaim rewrite it. */
void ws__writer_avoid_file(ws__writer *w, uint32_t id);
uint32_t ws__writer_avoided(const ws__writer *w);
/* Takes data file id (not the one appended to) out of the new manifest. */
void ws__writer_forget_file(ws__writer *w, uint32_t id);
/*
 * Rewrites the data file that wastes most, if it wastes enough
 * (warmstore(5), Reclaiming): its live blocks, copied as they are, go to
 * the file being appended to, drop records hide their old places, and
 * the file is removed once the commit is in place; a file whose blocks
 * take more than the budget is rewritten over several commits
 * (reclaim.c). thorough (a compaction) also takes a small file wasting
 * half of itself. *rewrote tells whether a file was worked on; *copied
 * grows by the bytes copied.
 */
ws_status ws__reclaim(ws_store *st, ws__writer *w, bool thorough,
		      uint64_t budget, bool *rewrote, uint64_t *copied,
		      ws_error *err);

/*
 * For publish: takes out of m the data files that hold no committed zone
 * that m's retention records leave, no fresh zone and no retention record
 * (except keep_file, being appended to), and counts the bytes of the
 * zones they hide as waste; one stream over the index (retire.c). The
 * segment writer then leaves those zones out (ws__segment_write_merged).
 */
ws_status ws__retire_files(ws_store *st, ws_manifest *m, const ws_zone *fresh,
			   size_t nfresh, uint32_t keep_file,
			   const ws_progress_opts *progress, ws__retire_counts *n,
			   ws_error *err);
/* Accepts NULL. The store handle still holds the state before publish. */
void ws__writer_end(ws__writer *w);

/* --- walking a data file (walk.c) ----------------------------------- */

/*
 * The header of the next block of data file f (fd, as m names it) at or
 * after *off, commit records and quarantined ranges passed over; *off is
 * left at the block. WS_NOTFOUND at the committed end.
 */
ws_status ws__walk_next(ws_store *st, const ws_manifest *m,
			const ws_datafile_ref *f, int fd, uint64_t *off,
			ws_block_head *h, ws_error *err);

/* --- the series cursor (cursor.c) ----------------------------------- */

/*
 * A cursor yields each key once, its newest write, in time order (dir +1)
 * or newest first (dir -1), series after series in scan mode. It reads
 * the store's current snapshot: start it again after a reload. This is
 * the ws_cursor of warmstore.h.
 */
ws_status ws__cursor_new(ws_store *st, int dir, ws_cursor **out,
			 ws_error *err);
/* Starts on the points of one series in [from, to]. */
ws_status ws__cursor_series(ws_cursor *c, uint64_t entity, uint32_t space,
			    int64_t from, int64_t to, ws_error *err);
/* Starts on every point of the store in [from, to], in key order. */
ws_status ws__cursor_scan(ws_cursor *c, int64_t from, int64_t to,
			  ws_error *err);
/* WS_OK with a point (a view valid until the next call), WS_NOTFOUND. */
ws_status ws__cursor_next(ws_cursor *c, ws_point *pt, ws_error *err);
void ws__cursor_free(ws_cursor *c);

#endif
