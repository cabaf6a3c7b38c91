/*
 * test_layers.c - unit tests of the store layer's shared machinery: the
 * merge of index segments (zonemerge.c) and its drop records, the series
 * cursor where the newest write wins (cursor.c) and the writer
 * (writer.c).
 */
#include "store/store.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap_dir.h"

static char dir[256];

static ws_zone
zone(uint64_t entity, uint32_t space, uint64_t seq, int64_t min_ts)
{
	return (ws_zone){.entity = entity, .space = space, .file = 1,
			 .offset = seq * 1000 + (uint64_t)min_ts, .min_ts = min_ts,
			 .max_ts = min_ts + 1, .seq = seq, .count = 1,
			 .bytes = WS_BLOCK_HEADER + 1, .raw_len = 4};
}

/* Writes segment id with the zones and opens it. */
static void
make_segment(int ifd, uint64_t id, ws_zone *z, size_t n, ws_segment *seg)
{
	ws_error err;
	if (ws__segment_write(ifd, dir, id, z, n, &err) != WS_OK)
		abort();
	ws_segment_ref ref = {id, n};
	if (ws__segment_open(ifd, dir, &ref, seg, &err) != WS_OK)
		abort();
}

static void
test_zone_merge(void)
{
	char idx[512];
	snprintf(idx, sizeof idx, "%s/index", dir);
	mkdir(idx, 0777);
	int ifd = open(idx, O_RDONLY | O_DIRECTORY);
	ws_zone a[] = {zone(1, 0, 1, 0), zone(3, 0, 1, 0), zone(5, 0, 1, 0)};
	ws_zone b[] = {zone(2, 0, 2, 0), zone(3, 0, 2, 0), zone(6, 1, 2, 0)};
	ws_zone fresh[] = {zone(3, 0, 3, 0), zone(4, 0, 3, 0)};
	ws_segment segs[2];
	make_segment(ifd, 1, a, 3, &segs[0]);
	make_segment(ifd, 2, b, 3, &segs[1]);
	ws_error err;
	ws__zone_merge m;
	ws_zone z, prev = {0};
	size_t n = 0;
	bool ordered = true;
	ws_status rc = ws__zone_merge_open(&m, segs, 2, 1, dir, &err);
	ws__zone_merge_fresh(&m, fresh, 2);
	while (rc == WS_OK && (rc = ws__zone_merge_next(&m, &z, &err)) == WS_OK) {
		ordered &= n == 0 || ws__zone_cmp(&prev, &z) < 0;
		prev = z;
		n++;
	}
	ws__zone_merge_free(&m);
	TAP_CHECK(rc == WS_NOTFOUND && n == 8 && ordered,
		  "forward merge of two segments and fresh zones: 8 in order (%zu)",
		  n);

	n = 0;
	ordered = true;
	rc = ws__zone_merge_open(&m, segs, 2, -1, dir, &err);
	while (rc == WS_OK && (rc = ws__zone_merge_next(&m, &z, &err)) == WS_OK) {
		ordered &= n == 0 || ws__zone_cmp(&prev, &z) > 0;
		prev = z;
		n++;
	}
	ws__zone_merge_free(&m);
	TAP_CHECK(rc == WS_NOTFOUND && n == 6 && ordered,
		  "reverse merge: 6 in reverse order (%zu)", n);

	rc = ws__zone_merge_open(&m, segs, 2, 1, dir, &err);
	if (rc == WS_OK)
		rc = ws__zone_merge_seek(&m, 3, 0, &err);
	ws_zone peeked;
	if (rc == WS_OK)
		rc = ws__zone_merge_peek(&m, &peeked, &err);
	if (rc == WS_OK)
		rc = ws__zone_merge_next(&m, &z, &err);
	TAP_CHECK(rc == WS_OK && z.entity == 3 && z.seq == 1 &&
			  ws__zone_cmp(&peeked, &z) == 0,
		  "seek lands on the series' oldest record; peek does not move");
	rc = ws__zone_merge_next(&m, &z, &err);
	TAP_CHECK(rc == WS_OK && z.entity == 3 && z.seq == 2,
		  "then the next record of the series, from the other segment");
	ws__zone_merge_free(&m);
	ws__segment_close(&segs[0]);
	ws__segment_close(&segs[1]);
	close(ifd);
}


static ws_zone
dropped(ws_zone z)
{
	z.dropped = true;
	return z;
}

/* The records a merge of segs yields, as (entity, seq, dropped) digits. */
static void
merged(const ws_segment *segs, size_t n, int direction, bool keep, char *out,
       size_t cap)
{
	ws__zone_merge m;
	ws_error err;
	ws_zone z;
	size_t len = 0;
	out[0] = 0;
	if (ws__zone_merge_open(&m, segs, n, direction, dir, &err) != WS_OK)
		abort();
	m.keep_drops = keep;
	while (ws__zone_merge_next(&m, &z, &err) == WS_OK && len + 8 < cap)
		len += (size_t)snprintf(out + len, cap - len, "%s%u%u%s",
					len ? " " : "", (unsigned)z.entity,
					(unsigned)z.seq,
					z.dropped ? (m.drop_paired ? "d" : "D") : "");
	ws__zone_merge_free(&m);
}

static void
test_drop_records(void)
{
	char idx[512];
	snprintf(idx, sizeof idx, "%s/index", dir);
	mkdir(idx, 0777);
	int ifd = open(idx, O_RDONLY | O_DIRECTORY);
	/* Entity 2's block of seq 1 is dropped by a later segment. */
	ws_zone a[] = {zone(1, 0, 1, 0), zone(2, 0, 1, 0), zone(3, 0, 1, 0)};
	ws_zone b[] = {dropped(zone(2, 0, 1, 0)), zone(2, 0, 2, 0)};
	ws_segment segs[2];
	make_segment(ifd, 11, a, 3, &segs[0]);
	make_segment(ifd, 12, b, 2, &segs[1]);
	char got[128];
	merged(segs, 2, 1, false, got, sizeof got);
	TAP_CHECK(strcmp(got, "11 22 31") == 0,
		  "a forward merge hides a dropped block and its drop record (%s)",
		  got);
	merged(segs, 2, -1, false, got, sizeof got);
	TAP_CHECK(strcmp(got, "31 22 11") == 0,
		  "so does a reverse merge (%s)", got);
	merged(segs, 2, 1, true, got, sizeof got);
	TAP_CHECK(strcmp(got, "11 21d 22 31") == 0,
		  "keep_drops yields the drop record alone, met with its block (%s)",
		  got);
	merged(&segs[1], 1, 1, true, got, sizeof got);
	TAP_CHECK(strcmp(got, "21D 22") == 0,
		  "a drop record whose block is in no merged segment is unmet (%s)",
		  got);
	ws__zone_merge m;
	ws_error err;
	ws_zone z;
	ws_status rc = ws__zone_merge_open(&m, segs, 2, -1, dir, &err);
	if (rc == WS_OK)
		rc = ws__zone_merge_seek_end(&m, 2, 0, &err);
	if (rc == WS_OK)
		rc = ws__zone_merge_next(&m, &z, &err);
	TAP_CHECK(rc == WS_OK && z.entity == 2 && z.seq == 2 && !z.dropped,
		  "seek_end then a reverse step gives the series' newest block");
	ws__zone_merge_free(&m);

	/* Written merged: the pair becomes a settled drop record, kept while
	 * its data file is named, left out once it is not. */
	ws_manifest live;
	ws__manifest_init(&live);
	live.data = calloc(1, sizeof *live.data);
	live.data[0] = (ws_datafile_ref){1, 1 << 20, 0};
	live.ndata = 1;
	uint64_t records = 0;
	rc = ws__segment_write_merged(ifd, dir, 13, NULL, 0, segs, 2, &live, false,
				      &records, &err);
	ws_segment out;
	ws_segment_ref ref = {13, records};
	if (rc == WS_OK)
		rc = ws__segment_open(ifd, dir, &ref, &out, &err);
	bool settled = false;
	for (uint64_t i = 0; rc == WS_OK && i < out.records; i++)
		if (ws__segment_record(&out, i, &z, dir, &err) == WS_OK &&
		    z.dropped)
			settled = z.settled;
	TAP_CHECK(rc == WS_OK && records == 4 && settled,
		  "a merged segment keeps a settled drop record while its file is named (%llu)",
		  (unsigned long long)records);
	bool held = false;
	if (rc == WS_OK)
		rc = ws__segment_holds(&out, &(ws_zone){.entity = 2, .seq = 2,
						       .file = 1,
						       .offset = 2000},
				       &held, dir, &err);
	TAP_CHECK(rc == WS_OK && held, "segment_holds finds a record by its key");
	live.ndata = 0;
	rc = ws__segment_write_merged(ifd, dir, 14, NULL, 0, &out, 1, &live, false,
				      &records, &err);
	TAP_CHECK(rc == WS_OK && records == 3,
		  "and leaves it out once its data file is gone (%llu)",
		  (unsigned long long)records);
	ws__segment_close(&out);
	ws__manifest_free(&live);
	ws__segment_close(&segs[0]);
	ws__segment_close(&segs[1]);
	close(ifd);
}

/* Commits one batch of points (entity 1, space 0) through the writer. */
static ws_status
commit_points(ws_store *st, const int64_t *ts, const float *v, size_t n,
	      bool publish, ws_error *err)
{
	ws_batch b;
	ws__batch_init(&b);
	b.source = "test";
	ws_status rc = WS_OK;
	for (size_t i = 0; i < n && rc == WS_OK; i++) {
		ws_point pt = {.entity_id = 1, .timestamp = ts[i], .dim = 1,
			       .vector = &v[i]};
		rc = ws__batch_add(&b, &pt, i + 1, err);
	}
	ws__batch_sort_dedup(&b);
	ws__writer *w = NULL;
	if (rc == WS_OK)
		rc = ws__writer_begin(st, &w, err);
	if (rc == WS_OK)
		rc = ws__manifest_set_dim(ws__writer_manifest(w), 0, 1, err);
	if (rc == WS_OK)
		rc = ws__writer_append(w, &b, err);
	if (rc == WS_OK && publish)
		rc = ws__writer_publish(w, err);
	ws__writer_end(w);
	ws__batch_free(&b);
	return rc == WS_OK ? ws__store_reload(st, err) : rc;
}

/* The points of entity 1 in [from, to] in direction dir, as values. */
static size_t
read_series(ws_store *st, int dir_, int64_t from, int64_t to, int64_t *ts,
	    float *v, size_t max)
{
	ws_cursor *c;
	ws_error err;
	size_t n = 0;
	ws_point pt;
	if (ws__cursor_new(st, dir_, &c, &err) != WS_OK)
		abort();
	if (ws__cursor_series(c, 1, 0, from, to, &err) == WS_OK)
		while (n < max && ws__cursor_next(c, &pt, &err) == WS_OK) {
			ts[n] = pt.timestamp;
			v[n++] = pt.vector[0];
		}
	ws__cursor_free(c);
	return n;
}

static bool
files_in(const char *sub, size_t expect)
{
	char path[512];
	snprintf(path, sizeof path, "%s/store/%s", dir, sub);
	size_t n = 0;
	char cmd[600];
	snprintf(cmd, sizeof cmd, "ls '%s' | wc -l", path);
	FILE *p = popen(cmd, "r");
	if (p == NULL || fscanf(p, "%zu", &n) != 1)
		n = SIZE_MAX;
	if (p != NULL)
		pclose(p);
	return n == expect;
}

static void
test_cursor_and_writer(void)
{
	char path[512];
	snprintf(path, sizeof path, "%s/store", dir);
	ws_store *st;
	ws_error err;
	ws_status rc = ws_store_open(path, WS_OPEN_WRITE, &st, &err);
	TAP_CHECK(rc == WS_OK, "store created (%s)", rc ? err.msg : "");
	if (rc != WS_OK)
		return;
	/* Three overlapping commits: later ones overwrite some keys. */
	static const int64_t t1[] = {10, 20, 30, 40}, t2[] = {20, 25, 40},
			     t3[] = {5, 40};
	static const float v1[] = {1, 1, 1, 1}, v2[] = {2, 2, 2}, v3[] = {3, 3};
	rc = commit_points(st, t1, v1, 4, true, &err);
	if (rc == WS_OK)
		rc = commit_points(st, t2, v2, 3, true, &err);
	if (rc == WS_OK)
		rc = commit_points(st, t3, v3, 2, true, &err);
	TAP_CHECK(rc == WS_OK, "three commits through the writer (%s)",
		  rc ? err.msg : "");

	int64_t ts[16];
	float v[16];
	static const int64_t want_ts[] = {5, 10, 20, 25, 30, 40};
	static const float want_v[] = {3, 1, 2, 2, 1, 3};
	size_t n = read_series(st, 1, INT64_MIN, INT64_MAX, ts, v, 16);
	bool same = n == 6;
	for (size_t i = 0; same && i < n; i++)
		same = ts[i] == want_ts[i] && v[i] == want_v[i];
	TAP_CHECK(same, "cursor: each key once, the newest write, in time order");

	n = read_series(st, -1, 15, 35, ts, v, 16);
	TAP_CHECK(n == 3 && ts[0] == 30 && v[0] == 1 && ts[1] == 25 &&
			  ts[2] == 20 && v[2] == 2,
		  "cursor: a reversed window, newest first");
	n = read_series(st, 1, 40, 40, ts, v, 16);
	TAP_CHECK(n == 1 && v[0] == 3, "cursor: a one-timestamp range is a get");
	n = read_series(st, 1, 41, 39, ts, v, 16);
	TAP_CHECK(n == 0, "cursor: an empty window yields nothing");

	uint64_t gen = st->man.generation;
	static const int64_t t4[] = {10, 99};
	static const float v4[] = {4, 4};
	rc = commit_points(st, t4, v4, 2, false, &err);
	n = read_series(st, 1, INT64_MIN, INT64_MAX, ts, v, 16);
	TAP_CHECK(rc == WS_OK && st->man.generation == gen && n == 6 && v[1] == 1,
		  "writer: an attempt that does not publish changes nothing");
	struct stat sb;
	char data[600];
	snprintf(data, sizeof data, "%s/data/00000001.wsd", path);
	TAP_CHECK(stat(data, &sb) == 0 &&
			  (uint64_t)sb.st_size == st->man.data[0].length,
		  "writer: its appended bytes are cut off again");
	TAP_CHECK(files_in("index", st->man.nsegs),
		  "writer: no segment of it is left in index/");
	ws_store_close(st);
}

int
main(void)
{
	if (!tap_make_dir(dir, sizeof dir, "ws-layers"))
		return 99;
	test_zone_merge();
	test_drop_records();
	test_cursor_and_writer();
	return tap_done_in(dir);
}
