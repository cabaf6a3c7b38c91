/*
 * ws_private.h - internal declarations shared by the modules of
 * libwarmstore. config.h comes first so that every module sees the same
 * feature macros (large files, GNU extensions).
 */
#ifndef WS_PRIVATE_H
#define WS_PRIVATE_H

#include "config.h"

#include <stdarg.h>
#include <sys/stat.h>
#include <sys/types.h>
/* next_in of a z_stream then takes a const pointer, as the input is. */
#define ZLIB_CONST
#include <zlib.h>

#include "warmstore.h"

/* --- errors (error.c) ---------------------------------------------- */

/* Records a message and returns code, so callers write `return ws__err(...)`. */
ws_status ws__err(ws_error *err, ws_status code, const char *fmt, ...)
	WS_PRINTF(3, 4);
/* Like ws__err, with ": strerror(errno_value)" appended. */
ws_status ws__errno(ws_error *err, int errno_value, const char *fmt, ...)
	WS_PRINTF(3, 4);
/* Puts "prefix: " in front of the message already in err. */
void ws__err_prefix(ws_error *err, const char *fmt, ...) WS_PRINTF(2, 3);

/*
 * Untrusted text (an input key, a name read from a store file) as a
 * message shows it (ndjson_read.c): control characters, quotes and
 * backslashes escaped as JSON does, cut with "..." after about 100 bytes.
 */
#define WS__SHOWN_SIZE 128
const char *ws__shown_text(const char *s, size_t len,
			   char buf[WS__SHOWN_SIZE]);

/* --- checked system calls (util.c) --------------------------------- */

/* Writes all n bytes, going on after EINTR and short writes. */
ws_status ws__write_all(int fd, const void *buf, size_t n, const char *name,
			ws_error *err);
ws_status ws__pwrite_all(int fd, const void *buf, size_t n, off_t off,
			 const char *name, ws_error *err);
/* Reads exactly n bytes at off; a short file is WS_ECORRUPT. */
ws_status ws__pread_exact(int fd, void *buf, size_t n, off_t off,
			  const char *name, ws_error *err);
/* Reads a whole regular file of at most max bytes (NUL-terminated). */
/* Reads all of the open file fd (stat'ed as sb), at most max bytes. */
ws_status ws__read_small_fd(int fd, const struct stat *sb, const char *name,
			    size_t max, char **out, size_t *len, ws_error *err);
ws_status ws__read_small_file(int dirfd, const char *rel, const char *name,
			      size_t max, char **out, size_t *len,
			      ws_error *err);
ws_status ws__fsync(int fd, const char *name, ws_error *err);
ws_status ws__fdatasync(int fd, const char *name, ws_error *err);
/* Writes a file atomically: name.tmp, fsync, rename, fsync of the dir. */
ws_status ws__replace_file(int dirfd, const char *rel, const char *name,
			   const void *data, size_t len, ws_error *err);
int ws__close(int fd);

/*
 * openat() that never waits on a FIFO or device and gives only regular
 * files (openfile.c); otherwise -1 with errno WS__ENOTREG, which ws__errno
 * words as "not a regular file" (an errno no system call returns).
 */
int ws__openat_regular(int dirfd, const char *rel, int flags, mode_t mode);
/*
 * How many data files a reader keeps open at once: a share of the
 * descriptor limit (RLIMIT_NOFILE), so that no store is too large to read.
 */
size_t ws__data_fd_bound(void);
#define WS__ENOTREG 0x10000

/* Called for each entry of a directory but "." and ".."; WS_OK goes on. */
typedef ws_status (*ws__dir_entry_fn)(void *ctx, const char *entry,
				       ws_error *err);
/* Walks the directory open at dirfd (named `name` in messages). */
ws_status ws__each_dir_entry(int dirfd, const char *name, ws__dir_entry_fn fn,
			     void *ctx, ws_error *err);

/*
 * The error for data/ or index/ of a store that failed to open with errno
 * e: a symbolic link there (refused, as O_NOFOLLOW does) is named as one.
 */
ws_status ws__subdir_error(int dirfd, const char *store, const char *sub,
			   int e, ws_error *err);

void *ws__malloc(size_t n, ws_error *err);
void *ws__realloc(void *p, size_t n, ws_error *err);
/* Grows *p (holding *cap elements of size sz) to at least want elements. */
ws_status ws__grow(void *pp, size_t *cap, size_t want, size_t sz,
		   ws_error *err);

/*
 * Little-endian fixed-width fields of the on-disk formats. Inline: the
 * readers decode headers and index records with them in their hot loops.
 */
static inline void
ws__put_u16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static inline void
ws__put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline void
ws__put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint16_t
ws__get_u16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t
ws__get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t
ws__get_u64(const unsigned char *p)
{
	return (uint64_t)ws__get_u32(p) | (uint64_t)ws__get_u32(p + 4) << 32;
}

/* Decimal digits of n (no terminator, at most 20); returns their count. */
int ws__utoa(uint64_t n, char *digits);

/* LEB128 varints. get returns false when the bytes run out or overflow. */
size_t ws__put_varint(unsigned char *p, uint64_t v);
bool ws__get_varint(const unsigned char **p, const unsigned char *end,
		    uint64_t *v);
#define WS_VARINT_MAX 10

uint32_t ws__crc32(const void *p, size_t n);

/* qsort that accepts an empty array (qsort(NULL, 0, ...) is undefined). */
void ws__sort(void *base, size_t n, size_t size,
	      int (*cmp)(const void *, const void *));

/*
 * mantissa * 10^exp10 as a correctly rounded f32, when one exact float
 * operation can do it (mantissa <= 2^24, |exp10| <= 10); false otherwise.
 */
bool ws__f32_exact(uint64_t mantissa, int exp10, float *out);


/* --- points (point.c) ---------------------------------------------- */

/*
 * A batch of points waiting for a commit. Vectors and encoded metadata
 * live in arenas so that a batch of a million points is three large
 * allocations, not millions of small ones.
 */
typedef struct ws_batch_entry {
	uint64_t entity;
	int64_t ts;
	uint64_t line;   /* input line: the later line wins a key */
	size_t vec_off;  /* index into the float arena */
	size_t meta_off; /* offset into the metadata arena, WS_NO_META: none */
	uint32_t space;
	uint32_t dim;
} ws_batch_entry;

typedef struct ws_batch {
	ws_batch_entry *e;
	size_t n, cap;
	float *vec;
	size_t nvec, capvec;
	unsigned char *meta;
	size_t nmeta, capmeta;
	const char *source; /* names the input in messages */
} ws_batch;

/*
 * An entry's metadata sits in the arena behind a varint of its length,
 * so that the entry needs no length field: 48 bytes, not 56, lets a batch
 * of the same memory hold more points (fewer, larger blocks).
 */
#define WS_NO_META SIZE_MAX

void ws__batch_init(ws_batch *b);
void ws__batch_reset(ws_batch *b);
void ws__batch_free(ws_batch *b);
ws_status ws__batch_add(ws_batch *b, const ws_point *pt, uint64_t line,
			ws_error *err);
/* An entry's encoded metadata and its length (NULL and 0: none). */
const unsigned char *ws__batch_meta(const ws_batch *b,
				    const ws_batch_entry *e, size_t *len);
/* Bytes the batch holds, the figure batch_bytes is compared with. */
size_t ws__batch_bytes(const ws_batch *b);
/*
 * Sorts by (entity, space, timestamp) and keeps, for each key, the entry
 * of the latest line.
 */
void ws__batch_sort_dedup(ws_batch *b);

struct ws_manifest;
/*
 * Called for each entry of a batch whose space the manifest gives another
 * dimension (dim), in input line order; WS_OK goes on.
 */
typedef ws_status (*ws__conflict_fn)(void *ctx, const ws_batch *b,
				      const ws_batch_entry *e, uint32_t dim,
				      ws_error *err);
/*
 * Takes out of the batch the entries that conflict with the dimensions
 * of m (conflict.c), after handing each to fn; *dropped counts them.
 */
ws_status ws__batch_drop_conflicts(ws_batch *b, const struct ws_manifest *m,
				   ws__conflict_fn fn, void *ctx,
				   size_t *dropped, ws_error *err);

/* Orders two keys; returns <0, 0, >0. */
int ws__key_cmp(uint64_t e1, uint32_t s1, int64_t t1, uint64_t e2,
		uint32_t s2, int64_t t2);

/* --- blocks (block.c) ---------------------------------------------- */

#define WS_BLOCK_HEADER 72
/* 2: the payload is raw deflate; 1: a zlib stream (read, not written). */
#define WS_BLOCK_VERSION 2
#define WS_BLOCK_MAX_POINTS 8192u
#define WS_BLOCK_MAX_RAW (32u * 1024u)

/* The header fields of one block, as stored. */
typedef struct ws_block_head {
	uint64_t entity;
	uint32_t version; /* WS_BLOCK_VERSION when written; 1 is still read */
	uint32_t flags;   /* 0: reserved */
	uint32_t space, dim, count;
	uint32_t raw_len, stored_len, payload_crc;
	int64_t min_ts, max_ts;
	uint64_t seq;
} ws_block_head;

/* A decoded block: columns of count points. */
typedef struct ws_block {
	ws_block_head h;
	int64_t *ts;
	float *vec;            /* count * dim */
	uint32_t *meta_off;    /* count + 1 offsets into meta */
	unsigned char *meta;
	unsigned char *raw;    /* scratch: the inflated payload */
	size_t cap_points, cap_raw;
	size_t cap_vec;
} ws_block;

/*
 * State reused across the blocks of a commit: one zlib stream (setting one
 * up costs more than compressing a small block) and the raw payload.
 */
typedef struct ws_encoder {
	z_stream z;
	bool z_ready;
	unsigned char *raw;
	size_t cap_raw;
} ws_encoder;

void ws__encoder_init(ws_encoder *enc);
void ws__encoder_free(ws_encoder *enc);

/*
 * Encodes entries [first, first+count) of a sorted batch (all one series)
 * into out (header + zlib payload), which grows as needed.
 */
ws_status ws__block_encode(ws_encoder *enc, const ws_batch *b, size_t first,
			   size_t count, uint64_t seq, unsigned char **out,
			   size_t *cap, size_t *len, ws_block_head *head,
			   ws_error *err);
/* Checks and parses a 72-byte header (magic, version, header CRC, sizes). */
ws_status ws__block_parse_head(const unsigned char *p, ws_block_head *h,
			       const char *where, ws_error *err);
/* Verifies the payload CRC, inflates and decodes into blk. */
ws_status ws__block_decode(const ws_block_head *h,
			   const unsigned char *stored, ws_block *blk,
			   const char *where, ws_error *err);
void ws__block_free(ws_block *blk);
/* Index of the first point at or after ts (count when none). */
size_t ws__block_lower_bound(const ws_block *blk, int64_t ts);
/* View of point i of a decoded block. */
void ws__block_point(const ws_block *blk, size_t i, ws_point *pt);

/* --- the manifest (manifest.c) ------------------------------------- */

typedef struct ws_datafile_ref {
	uint32_t id;
	uint64_t length; /* committed bytes */
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
/* 0 when the space has no dimension yet. */
uint32_t ws__manifest_dim(const ws_manifest *m, uint32_t space);
ws_status ws__manifest_set_dim(ws_manifest *m, uint32_t space, uint32_t dim,
			       ws_error *err);
/* File names derived from ids: "data/00000001.wsd", "index/...wsi". */
void ws__data_name(uint32_t id, char *buf, size_t n);
void ws__segment_name(uint64_t id, char *buf, size_t n);
const ws_datafile_ref *ws__manifest_datafile(const ws_manifest *m,
					     uint32_t id);

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
} ws_zone;

/* An open, immutable, memory-mapped segment. */
typedef struct ws_segment {
	uint64_t id;
	uint64_t records;
	const unsigned char *map;
	size_t map_len;
	/*
	 * One bit per record whose CRC has been checked: every binary search
	 * passes through the same few records, and checking them once, not
	 * once per lookup, takes a third off a run of many gets.
	 */
	uint64_t *verified;
	char name[64]; /* "STORE/index/....wsi" tail for messages */
} ws_segment;

ws_status ws__segment_open(int indexdirfd, const char *store,
			   const ws_segment_ref *ref, ws_segment *seg,
			   ws_error *err);
void ws__segment_close(ws_segment *seg);
/* Reads record i, verifying its CRC the first time it is read. */
ws_status ws__segment_record(const ws_segment *seg, uint64_t i,
			     ws_zone *z, const char *store, ws_error *err);
/* First record whose (entity, space) is >= the given one. */
ws_status ws__segment_lower_bound(const ws_segment *seg, uint64_t entity,
				  uint32_t space, uint64_t *pos,
				  const char *store, ws_error *err);
/*
 * Writes a new segment file holding the fresh zones (sorted here) and
 * every record of segs, merged in a stream; fsyncs it.
 */
ws_status ws__segment_write_merged(int indexdirfd, const char *store,
				   uint64_t id, ws_zone *fresh, size_t nfresh,
				   const ws_segment *segs, size_t nsegs,
				   ws_error *err);
/* Writes a new segment file with zones (sorted here) and fsyncs it. */
ws_status ws__segment_write(int indexdirfd, const char *store, uint64_t id,
			    ws_zone *zones, size_t n, ws_error *err);
int ws__zone_cmp(const ws_zone *a, const ws_zone *b);

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
	int *data_fds; /* parallel to man.data; -1 until first opened */
	size_t ndata_fds;
	size_t open_data;     /* of data_fds, open now: at most max_open_data */
	size_t max_open_data; /* ws__data_fd_bound() */
	size_t evict_next;    /* where the search for one to close starts */
	ws_block scratch; /* block decoded by ws_store_get */
	bool scratch_valid;
	uint32_t scratch_file; /* where scratch came from */
	uint64_t scratch_offset;
	unsigned char *iobuf; /* a block as read from disk */
	size_t cap_iobuf;
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
ws_status ws__move_to_lost(int dirfd, int datadirfd, const char *store,
			   const uint32_t *ids, size_t n, ws_error *err);

/* Reloads the manifest and reopens the segments it names. */
ws_status ws__store_reload(ws_store *st, ws_error *err);
/* Reloads only if the MANIFEST was replaced since the last load. */
ws_status ws__store_refresh(ws_store *st, ws_error *err);

/* The data file descriptor for id, opened on first use. */
ws_status ws__store_data_fd(ws_store *st, uint32_t id, int *fd,
			    ws_error *err);
/* Reads and decodes the block of a zone, checking it against the zone. */
ws_status ws__store_read_block(ws_store *st, const ws_zone *z, ws_block *blk,
			       ws_error *err);
/* Zones of one series overlapping [from, to], from every segment. */
ws_status ws__store_series_zones(ws_store *st, uint64_t entity,
				 uint32_t space, int64_t from, int64_t to,
				 ws_zone **out, size_t *n, ws_error *err);
/* Appends a sorted batch as blocks and commits it (lock held inside). */
ws_status ws__store_commit(ws_store *st, ws_batch *b, uint64_t *blocks,
			   ws_error *err);

#endif
