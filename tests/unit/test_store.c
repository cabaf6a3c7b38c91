/*
 * test_store.c - unit tests of the store internals: the manifest loader
 * (strict on untrusted files), index segments, the segment merge policy,
 * the line reader's bounds, and commit/get/range through the library API.
 */
#include "write/write.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap_dir.h"

static char dir[256];

static int
open_dir(void)
{
	return open(dir, O_RDONLY | O_DIRECTORY);
}

/*
 * Writes text as the MANIFEST; sealed, it gets the closing checksum
 * member a writer gives it (text then ends in its last "}"), so that the
 * checks behind the checksum can be reached.
 */
static void
write_raw_manifest(const char *text, bool sealed)
{
	char path[512];
	snprintf(path, sizeof path, "%s/MANIFEST", dir);
	FILE *f = fopen(path, "w");
	size_t n = strlen(text);
	if (sealed && n > 0 && text[n - 1] == '}') {
		fwrite(text, 1, n - 1, f);
		fprintf(f, ",\n\"crc\":%u}\n",
			(unsigned)ws__crc32(text, n - 1));
	} else {
		fputs(text, f);
	}
	fclose(f);
}

static void
write_manifest(const char *text)
{
	write_raw_manifest(text, true);
}

static ws_status
load_text(const char *text, ws_manifest *m, ws_error *err)
{
	write_manifest(text);
	int fd = open_dir();
	ws_status rc = ws__manifest_load(fd, dir, m, err);
	close(fd);
	return rc;
}

static void
expect_damaged(const char *text, const char *reason)
{
	ws_manifest m;
	ws_error err = {0};
	ws_status rc = load_text(text, &m, &err);
	TAP_CHECK(rc == WS_ECORRUPT && strstr(err.msg, reason) &&
			  strstr(err.msg, "/MANIFEST"),
		  "manifest rejected: %s (got '%s')", reason, err.msg);
}

static void
test_manifest(void)
{
	ws_manifest m, back;
	ws_error err;
	ws__manifest_init(&m);
	m.generation = 3;
	m.next_seq = 4;
	m.next_segment = 9;
	ws__manifest_set_dim(&m, 5, 3, &err);
	ws__manifest_set_dim(&m, 1, 65535, &err);
	TAP_CHECK(ws__manifest_dim(&m, 1) == 65535 && ws__manifest_dim(&m, 5) == 3 &&
			  ws__manifest_dim(&m, 2) == 0,
		  "space dims kept sorted and found");
	int fd = open_dir();
	ws_status rc = ws__manifest_save(fd, dir, &m, &err);
	TAP_CHECK(rc == WS_OK, "manifest saved");
	rc = ws__manifest_load(fd, dir, &back, &err);
	close(fd);
	TAP_CHECK(rc == WS_OK && back.generation == 3 && back.next_seq == 4 &&
			  back.next_segment == 9 && back.nspaces == 2,
		  "manifest loads back");
	/* Spaces set on a loaded (exactly sized) manifest and its copy. */
	ws_manifest copy;
	rc = ws__manifest_copy(&copy, &back, &err);
	bool sorted = rc == WS_OK;
	for (uint32_t i = 0; sorted && i < 3000; i++) {
		uint32_t space = (i * 7919u) % 3001u; /* every 0..3000 but one */
		sorted = ws__manifest_set_dim(&back, space, space % 9 + 1, &err) == WS_OK &&
			 ws__manifest_set_dim(&copy, space, 1, &err) == WS_OK;
	}
	for (size_t i = 1; sorted && i < back.nspaces; i++)
		sorted = back.spaces[i - 1].space < back.spaces[i].space;
	TAP_CHECK(sorted && back.nspaces == 3000 && copy.nspaces == 3000 &&
			  ws__manifest_dim(&back, 7) == 8 && ws__manifest_dim(&back, 1) == 2,
		  "thousands of spaces in any order stay sorted, each found");
	ws__manifest_free(&copy);
	ws__manifest_free(&back);
	ws__manifest_free(&m);

	write_raw_manifest("{\"format\":\"warmstore\",\"version\":4}", false);
	fd = open_dir();
	rc = ws__manifest_load(fd, dir, &back, &err);
	close(fd);
	TAP_CHECK(rc == WS_ECORRUPT && strstr(err.msg, "no checksum"),
		  "a MANIFEST without its checksum is damaged (%s)", err.msg);
	write_raw_manifest("{\"format\":\"warmstore\",\"version\":4,\n\"crc\":1}\n",
			   false);
	fd = open_dir();
	rc = ws__manifest_load(fd, dir, &back, &err);
	close(fd);
	TAP_CHECK(rc == WS_ECORRUPT && strstr(err.msg, "checksum mismatch"),
		  "a MANIFEST whose checksum does not match is damaged (%s)",
		  err.msg);
	expect_damaged("{nope}", "not valid JSON");
	expect_damaged("{\"format\":\"other\"}", "not a warmstore manifest");
	expect_damaged("{\"format\":\"warmstore\",\"version\":1}", "unsupported format version 1");
	const char *head = "{\"format\":\"warmstore\",\"version\":4,\"generation\":1,"
			   "\"next_seq\":2,\"next_segment\":5,";
	char buf[1024];
	snprintf(buf, sizeof buf,
		 "%s\"data\":[{\"id\":1,\"file\":\"../../etc/passwd\",\"length\":1,\"waste\":0}],"
		 "\"index\":[],\"spaces\":[]}",
		 head);
	expect_damaged(buf, "is not a store file name");
	snprintf(buf, sizeof buf,
		 "%s\"data\":[{\"id\":1,\"file\":\"/data/00000001.wsd\",\"length\":1,\"waste\":0}],"
		 "\"index\":[],\"spaces\":[]}",
		 head);
	expect_damaged(buf, "is not a store file name");
	snprintf(buf, sizeof buf,
		 "%s\"data\":[{\"id\":1,\"file\":\"data/00000001.wsd\",\"length\":-1,\"waste\":0}],"
		 "\"index\":[],\"spaces\":[]}",
		 head);
	expect_damaged(buf, "field \"length\" out of range");
	snprintf(buf, sizeof buf,
		 "%s\"data\":[{\"id\":1,\"file\":\"data/00000001.wsd\",\"length\":9,"
		 "\"waste\":10}],\"index\":[],\"spaces\":[]}",
		 head);
	expect_damaged(buf, "field \"waste\" out of range");
	snprintf(buf, sizeof buf,
		 "%s\"data\":[{\"id\":1,\"file\":\"data/00000001.wsd\",\"length\":9}],"
		 "\"index\":[],\"spaces\":[]}",
		 head);
	expect_damaged(buf, "field \"waste\" missing or not a number");
	snprintf(buf, sizeof buf,
		 "%s\"data\":[],\"index\":[{\"id\":7,\"file\":\"index/0000000000000007.wsi\","
		 "\"records\":1}],\"spaces\":[]}",
		 head);
	expect_damaged(buf, "segment id beyond next_segment");
	snprintf(buf, sizeof buf,
		 "%s\"data\":[],\"index\":[],\"spaces\":[{\"space_id\":0,\"dim\":70000}]}",
		 head);
	expect_damaged(buf, "field \"dim\" out of range");
	snprintf(buf, sizeof buf, "%s\"data\":[],\"spaces\":[]}", head);
	expect_damaged(buf, "field \"index\" missing or not an array");
}

static void
test_segments(void)
{
	char sub[512];
	snprintf(sub, sizeof sub, "%s/index", dir);
	mkdir(sub, 0777);
	int ifd = open(sub, O_RDONLY | O_DIRECTORY);
	ws_zone z[300];
	for (int i = 0; i < 300; i++)
		z[i] = (ws_zone){.entity = (uint64_t)(299 - i) / 3, .space = (uint32_t)i % 3,
				 .file = 1, .offset = (uint64_t)i * 100, .min_ts = i,
				 .max_ts = i + 5, .seq = 1, .count = 2, .bytes = 100,
				 .raw_len = 50};
	ws_error err;
	ws_status rc = ws__segment_write(ifd, dir, 4, z, 300, &err);
	TAP_CHECK(rc == WS_OK, "segment written");
	ws_segment seg;
	ws_segment_ref ref = {4, 300};
	rc = ws__segment_open(ifd, dir, &ref, &seg, &err);
	TAP_CHECK(rc == WS_OK, "segment opened");
	uint64_t pos;
	ws_zone got;
	rc = ws__segment_lower_bound(&seg, 50, 1, &pos, dir, &err);
	TAP_CHECK(rc == WS_OK && ws__segment_record(&seg, pos, &got, dir, &err) == WS_OK &&
			  got.entity == 50 && got.space == 1,
		  "binary search finds (50, 1)");
	rc = ws__segment_lower_bound(&seg, 1000, 0, &pos, dir, &err);
	TAP_CHECK(rc == WS_OK && pos == 300, "a missing series sorts past the end");
	ws__segment_close(&seg);
	ws_segment_ref wrong = {4, 299};
	rc = ws__segment_open(ifd, dir, &wrong, &seg, &err);
	TAP_CHECK(rc == WS_ECORRUPT && strstr(err.msg, "size does not match"),
		  "a record count that does not match the file size is damage");
	/* Flip one byte of record 10: reading it reports the file. */
	char path[600];
	snprintf(path, sizeof path, "%s/index/0000000000000004.wsi", dir);
	int fd = open(path, O_RDWR);
	unsigned char byte;
	pread(fd, &byte, 1, WS_SEG_HEADER + 10 * WS_SEG_RECORD + 20);
	byte ^= 0x40;
	pwrite(fd, &byte, 1, WS_SEG_HEADER + 10 * WS_SEG_RECORD + 20);
	close(fd);
	rc = ws__segment_open(ifd, dir, &ref, &seg, &err);
	TAP_CHECK(rc == WS_OK && ws__segment_record(&seg, 10, &got, dir, &err) == WS_ECORRUPT &&
			  strstr(err.msg, "0000000000000004.wsi: record 10: CRC mismatch"),
		  "a flipped record byte is caught by its CRC (%s)", err.msg);
	ws__segment_close(&seg);
	close(ifd);
}

/* RssFile of this process, in KiB (/proc/self/status); -1 if unknown. */
static long
rss_file_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;
	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "RssFile:", 8) == 0)
			kib = atol(line + 8);
	if (f != NULL)
		fclose(f);
	return kib;
}

/* KiB of RssFile gained by 20,000 binary searches for random series. */
static long
rss_of_searches(const ws_segment *seg, uint64_t series)
{
	long before = rss_file_kib();
	ws_error err;
	uint64_t pos, bad = 0, state = 88172645463325252ull;
	for (int i = 0; i < 20000; i++)
		bad += ws__segment_lower_bound(seg, tap_random(&state) % series,
					       0, &pos, dir, &err) != WS_OK;
	return bad ? -1 : rss_file_kib() - before;
}

/*
 * A segment of 16 MB searched for random series: the pages touched
 * stay within the store's bound (ws__seg_pages), where a segment
 * opened alone keeps every page it touched mapped.
 */
static void
test_segment_pages(void)
{
	char sub[512];
	snprintf(sub, sizeof sub, "%s/index", dir);
	int ifd = open(sub, O_RDONLY | O_DIRECTORY);
	enum { N = 250000 };
	ws_zone *z = calloc(N, sizeof *z);
	for (uint64_t i = 0; i < N; i++)
		z[i] = (ws_zone){.entity = i, .file = 1, .offset = i * 100,
				 .min_ts = 1, .max_ts = 2, .seq = 1, .count = 1,
				 .bytes = 100, .raw_len = 50};
	ws_error err;
	ws_segment_ref ref = {9, N};
	ws_segment seg;
	ws_status rc = ws__segment_write(ifd, dir, 9, z, N, &err);
	free(z);
	if (rc == WS_OK)
		rc = ws__segment_open(ifd, dir, &ref, &seg, &err);
	TAP_CHECK(rc == WS_OK, "a segment of %d records written and opened", N);
	long alone = rss_of_searches(&seg, N);
	ws__segment_close(&seg);
	ws__seg_pages pages;
	rc = ws__segment_open(ifd, dir, &ref, &seg, &err);
	ws__segments_bound(&pages, &seg, 1);
	long bound = rc == WS_OK ? rss_of_searches(&seg, N) : -1;
	ws__segment_close(&seg);
	long limit = (WS_SEG_WINDOWS + 16) << (WS_SEG_WINDOW_SHIFT - 10);
	TAP_CHECK(alone > 8 * 1024 && bound >= 0 && bound <= limit,
		  "20000 searches map %ld KiB of a 16 MB segment alone, %ld KiB "
		  "under the bound (at most %ld)",
		  alone, bound, limit);
	close(ifd);
}

static void
test_line_reader(void)
{
	int p[2];
	if (pipe(p) != 0)
		abort();
	const char input[] = "short\n0123456789abcdef-long\nlast";
	if (write(p[1], input, sizeof input - 1) < 0)
		abort();
	close(p[1]);
	ws_line_reader *r = ws_line_reader_new(p[0], "pipe", 10);
	ws_line l;
	ws_error err;
	ws_status rc = ws_line_read(r, &l, &err);
	TAP_CHECK(rc == WS_OK && l.len == 5 && !l.too_long && l.number == 1, "first line");
	rc = ws_line_read(r, &l, &err);
	TAP_CHECK(rc == WS_OK && l.too_long && l.len == 10 && l.number == 2,
		  "an over-long line is cut at the limit and flagged");
	rc = ws_line_read(r, &l, &err);
	TAP_CHECK(rc == WS_OK && l.len == 4 && memcmp(l.text, "last", 4) == 0 &&
			  l.number == 3,
		  "its rest is skipped; a last line without newline is read");
	rc = ws_line_read(r, &l, &err);
	TAP_CHECK(rc == WS_NOTFOUND, "end of input");
	ws_line_reader_free(r);
	close(p[0]);
}

static ws_status
ingest_text(ws_store *st, const char *text, ws_ingest_stats *stats, ws_error *err)
{
	int p[2];
	if (pipe(p) != 0 || write(p[1], text, strlen(text)) < 0)
		abort();
	close(p[1]);
	ws_ingest_opts o;
	ws_ingest_opts_init(&o);
	o.idle_commit_ms = 0;
	ws_status rc = ws_ingest_fd(st, p[0], "t", &o, stats, err);
	close(p[0]);
	return rc;
}

static void
test_store_api(void)
{
	char path[512];
	snprintf(path, sizeof path, "%s/store", dir);
	ws_store *st;
	ws_error err;
	ws_status rc = ws_store_open(path, WS_OPEN_WRITE, &st, &err);
	TAP_CHECK(rc == WS_OK, "store created (%s)", rc ? err.msg : "");
	if (rc != WS_OK)
		return;
	ws_ingest_stats stats;
	/* Many single-point commits: the merge policy keeps few segments. */
	char line[256];
	for (int i = 0; i < 64; i++) {
		snprintf(line, sizeof line,
			 "{\"entity_id\":%d,\"timestamp\":%d,\"vector\":[%d]}\n", i % 4,
			 i, i);
		rc = ingest_text(st, line, &stats, &err);
		if (rc != WS_OK)
			break;
	}
	TAP_CHECK(rc == WS_OK && st->man.generation == 64, "64 commits");
	TAP_CHECK(st->nsegs <= 7, "64 commits leave O(log n) segments (%zu)", st->nsegs);
	rc = ingest_text(st,
			 "{\"entity_id\":1,\"timestamp\":5,\"vector\":[-1]}\n"
			 "{\"entity_id\":1,\"timestamp\":5,\"vector\":[-2]}\n",
			 &stats, &err);
	TAP_CHECK(rc == WS_OK, "a batch with a repeated key commits");
	ws_point pt;
	rc = ws_store_get(st, 1, 0, 5, &pt, &err);
	TAP_CHECK(rc == WS_OK && pt.vector[0] == -2.0f, "latest write wins on get");
	rc = ws_store_get(st, 1, 0, 6, &pt, &err);
	TAP_CHECK(rc == WS_NOTFOUND, "absent key is WS_NOTFOUND");
	ws_range_opts o = {.from = 0, .to = 20, .reverse = true};
	ws_cursor *c;
	rc = ws_store_range(st, 1, 0, &o, &c, &err);
	int n = 0;
	int64_t prev = INT64_MAX;
	bool ordered = true;
	while (rc == WS_OK && ws_cursor_next(c, &pt, &err) == WS_OK) {
		ordered &= pt.timestamp < prev;
		prev = pt.timestamp;
		n++;
	}
	ws_cursor_free(c);
	TAP_CHECK(n == 5 && ordered, "reverse range: each key once, newest first (%d)", n);
	rc = ingest_text(st, "{\"entity_id\":1,\"timestamp\":7,\"vector\":[1,2]}\n", &stats,
			 &err);
	TAP_CHECK(rc == WS_EBADINPUT && stats.rejected == 1, "dimension mismatch rejected");
	ws_store_close(st);
}

/* An open file in the test directory holding text. */
static int
file_with(const char *name, const char *text, size_t len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w+");
	if (f == NULL || fwrite(text, 1, len, f) != len || fflush(f) != 0)
		abort();
	int fd = dup(fileno(f));
	fclose(f);
	if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

/*
 * 8,000 keys of dimension 384 over the two blocks of one series: one
 * chunk of ws_lookup_fd (answers held as values, 1.6 KB each), so each
 * block is read once, not once per chunk.
 */
static void
test_lookup_chunk(void)
{
	enum { DIM = 384, POINTS = 84, KEYS = 8000 };
	char path[512];
	snprintf(path, sizeof path, "%s/wide", dir);
	ws_store *st;
	ws_error err;
	if (ws_store_open(path, WS_OPEN_WRITE, &st, &err) != WS_OK)
		abort();
	size_t cap = (size_t)POINTS * (DIM * 4 + 64), len = 0;
	char *text = malloc(cap);
	for (int t = 0; t < POINTS; t++) {
		len += (size_t)sprintf(text + len,
				       "{\"entity_id\":1,\"timestamp\":%d,\"vector\":[%d",
				       t, t);
		for (int j = 1; j < DIM; j++)
			len += (size_t)sprintf(text + len, ",%d", j % 7);
		len += (size_t)sprintf(text + len, "]}\n");
	}
	int fd = file_with("wide.ndjson", text, len);
	ws_ingest_opts io;
	ws_ingest_opts_init(&io);
	ws_ingest_stats is;
	ws_status rc = ws_ingest_fd(st, fd, "wide", &io, &is, &err);
	close(fd);
	free(text);
	TAP_CHECK(rc == WS_OK && st->man.generation == 1, "wide points committed");
	char *keys = malloc((size_t)KEYS * 48);
	len = 0;
	for (int i = 0; i < KEYS; i++)
		len += (size_t)sprintf(keys + len,
				       "{\"entity_id\":1,\"timestamp\":%d}\n",
				       (i * 37) % POINTS);
	fd = file_with("keys.ndjson", keys, len);
	free(keys);
	int null_fd = open("/dev/null", O_WRONLY);
	ws_output *out = ws_output_new(null_fd, "/dev/null");
	ws_lookup_opts lo = {.source = "keys"};
	ws_lookup_stats ls;
	uint64_t before = st->blocks_read;
	rc = ws_lookup_fd(st, fd, &lo, out, &ls, &err);
	/* Two threads split one series: the block at the split is read twice. */
	TAP_CHECK(rc == WS_OK && ls.found == KEYS && st->blocks_read - before <= 3,
		  "%d wide keys over 2 blocks read each block once, but the one "
		  "both threads need (%llu reads)",
		  KEYS, (unsigned long long)(st->blocks_read - before));
	if (ws_output_close(out, &err) != WS_OK)
		abort();
	close(null_fd);
	close(fd);
	ws_store_close(st);
}

/* Looks up text's keys in st, into /dev/null. */
static ws_status
lookup_text(ws_store *st, const char *text, ws_lookup_stats *ls,
	    ws_error *err)
{
	int fd = file_with("keys.ndjson", text, strlen(text));
	int null_fd = open("/dev/null", O_WRONLY);
	ws_output *out = ws_output_new(null_fd, "/dev/null");
	ws_lookup_opts lo = {.source = "keys"};
	ws_status rc = ws_lookup_fd(st, fd, &lo, out, ls, err);
	ws_error cerr;
	if (ws_output_close(out, &cerr) != WS_OK)
		abort();
	close(null_fd);
	close(fd);
	return rc;
}

/*
 * Many keys are looked up on two threads, split where one series ends
 * and the next begins, so that no block is read by both; a damaged block
 * that only the second thread reads is reported as the first one is.
 */
static void
test_lookup_halves(void)
{
	enum { KEYS = 1000 };
	char path[512];
	snprintf(path, sizeof path, "%s/halves", dir);
	ws_store *st;
	ws_error err;
	ws_ingest_stats is;
	char *text = malloc(KEYS * 64);
	size_t len = 0;
	for (int e = 1; e <= 2; e++)
		for (int t = 0; t < 100; t++)
			len += (size_t)sprintf(text + len,
					       "{\"entity_id\":%d,\"timestamp\":%d,"
					       "\"vector\":[%d,%d]}\n",
					       e, t, e, t);
	if (ws_store_open(path, WS_OPEN_WRITE, &st, &err) != WS_OK ||
	    ingest_text(st, text, &is, &err) != WS_OK || st->nsegs != 1 ||
	    st->segs[0].records != 2)
		abort();
	/* Keys of entity 2 first: the order of the lookups is not the input's. */
	len = 0;
	for (int i = 0; i < KEYS; i++)
		len += (size_t)sprintf(text + len,
				       "{\"entity_id\":%d,\"timestamp\":%d}\n",
				       2 - i % 2, (i * 7) % 110);
	ws_lookup_stats ls;
	uint64_t before = st->blocks_read;
	ws_status rc = lookup_text(st, text, &ls, &err);
	TAP_CHECK(rc == WS_OK && ls.found == 910 && ls.missing == 90 &&
			  st->blocks_read - before == 2,
		  "keys of two series on two threads read each block once "
		  "(%llu reads, %llu found)",
		  (unsigned long long)(st->blocks_read - before),
		  (unsigned long long)ls.found);
	ws_zone a, b;
	if (ws__segment_record(&st->segs[0], 1, &b, path, &err) != WS_OK ||
	    ws__segment_record(&st->segs[0], 0, &a, path, &err) != WS_OK ||
	    a.entity != 1 || b.entity != 2)
		abort();
	/* Entity 2's keys come second in key order: the helper thread's. */
	char data[600], want[700];
	snprintf(data, sizeof data, "%s/data/00000001.wsd", path);
	int fd = open(data, O_WRONLY);
	if (fd < 0 || pwrite(fd, "\xff", 1, (off_t)(b.offset + b.bytes - 1)) != 1)
		abort();
	close(fd);
	snprintf(want, sizeof want, "%s: offset %llu: block CRC mismatch", data,
		 (unsigned long long)b.offset);
	rc = lookup_text(st, text, &ls, &err);
	TAP_CHECK(rc == WS_ECORRUPT && strcmp(err.msg, want) == 0,
		  "a damaged block the second thread reads fails the lookup "
		  "(%d, '%s')",
		  rc, err.msg);
	free(text);
	ws_store_close(st);
}

/*
 * A block whose next read fails (the file ends early) gives no rows
 * from the bytes that read left behind: its decoder points into them.
 */
static void
test_failed_reread(void)
{
	char path[512];
	snprintf(path, sizeof path, "%s/reread", dir);
	ws_store *st;
	ws_error err;
	ws_ingest_stats is;
	if (ws_store_open(path, WS_OPEN_WRITE, &st, &err) != WS_OK ||
	    ingest_text(st,
			"{\"entity_id\":1,\"timestamp\":1,\"vector\":[1,2]}\n"
			"{\"entity_id\":2,\"timestamp\":1,\"vector\":[3,4]}\n",
			&is, &err) != WS_OK ||
	    st->nsegs != 1 || st->segs[0].records != 2)
		abort();
	ws_zone a, b;
	if (ws__segment_record(&st->segs[0], 0, &a, path, &err) != WS_OK ||
	    ws__segment_record(&st->segs[0], 1, &b, path, &err) != WS_OK)
		abort();
	const ws_zone *first = a.offset < b.offset ? &a : &b;
	const ws_zone *second = a.offset < b.offset ? &b : &a;
	ws_block blk = {0};
	ws_status read1 = ws__store_read_block(st, first, &blk, &err);
	char data[600];
	snprintf(data, sizeof data, "%s/data/00000001.wsd", path);
	if (truncate(data, (off_t)second->offset) != 0)
		abort();
	ws_status read2 = ws__store_read_block(st, second, &blk, &err);
	ws_status rows = ws__block_rows(&blk, 0, 1, "reread", &err);
	TAP_CHECK(read1 == WS_OK && read2 != WS_OK && rows == WS_ECORRUPT,
		  "after a failed read a block decodes no rows (%d, %d, %d)",
		  read1, read2, rows);
	ws__block_free(&blk);
	ws_store_close(st);
}

/* The timestamps a range over series (1, 0) returns, as a string. */
static void
range_of(ws_store *st, bool reverse, char *buf, size_t n)
{
	ws_range_opts o = {.from = INT64_MIN, .to = INT64_MAX, .reverse = reverse};
	ws_cursor *c;
	ws_error err;
	ws_point pt;
	size_t len = 0;
	buf[0] = 0;
	if (ws_store_range(st, 1, 0, &o, &c, &err) != WS_OK)
		return;
	while (ws_cursor_next(c, &pt, &err) == WS_OK && len + 24 < n)
		len += (size_t)snprintf(buf + len, n - len, "%s%lld",
					len ? "," : "", (long long)pt.timestamp);
	ws_cursor_free(c);
}

static void
test_hiding(void)
{
	char path[512], got[256];
	snprintf(path, sizeof path, "%s/hide", dir);
	ws_store *st;
	ws_error err;
	ws_ingest_stats stats;
	ws_delete_stats ds;
	ws_delete_stats_init(&ds);
	ws_status rc = ws_store_open(path, WS_OPEN_WRITE, &st, &err);
	if (rc == WS_OK)
		rc = ingest_text(st,
				 "{\"entity_id\":1,\"timestamp\":1,\"vector\":[1]}\n"
				 "{\"entity_id\":1,\"timestamp\":2,\"vector\":[2]}\n"
				 "{\"entity_id\":1,\"timestamp\":3,\"vector\":[3]}\n"
				 "{\"entity_id\":1,\"timestamp\":4,\"vector\":[4]}\n"
				 "{\"entity_id\":2,\"timestamp\":2,\"vector\":[9]}\n",
				 &stats, &err);
	TAP_CHECK(rc == WS_OK, "hiding: store written (%s)", rc ? err.msg : "");
	if (rc != WS_OK)
		return;
	rc = ws_delete_range(st, 1, 0, 2, 3, &ds, &err);
	range_of(st, false, got, sizeof got);
	TAP_CHECK(rc == WS_OK && strcmp(got, "1,4") == 0 && ds.blocks == 1,
		  "a range delete hides its points (%s)", got);
	rc = ingest_text(st, "{\"entity_id\":1,\"timestamp\":3,\"vector\":[33]}\n",
			 &stats, &err);
	range_of(st, true, got, sizeof got);
	TAP_CHECK(rc == WS_OK && strcmp(got, "4,3,1") == 0,
		  "a later write shows again, newest first too (%s)", got);
	ws_point pt;
	TAP_CHECK(ws_store_get(st, 2, 0, 2, &pt, &err) == WS_OK,
		  "another series is untouched");
	ws_delete_stats_init(&ds);
	rc = ws_delete_range(st, 1, 0, 100, 200, &ds, &err);
	TAP_CHECK(rc == WS_OK && ds.commits == 0 && ds.blocks == 0,
		  "deleting where nothing is stored commits nothing");
	rc = ws_delete_range(st, 1, 0, INT64_MIN, 1, &ds, &err);
	range_of(st, false, got, sizeof got);
	TAP_CHECK(rc == WS_OK && strcmp(got, "3,4") == 0,
		  "an open range from the start of time (%s)", got);
	rc = ws_delete_before(st, 4, false, 0, NULL, &ds, &err);
	range_of(st, false, got, sizeof got);
	TAP_CHECK(rc == WS_OK && strcmp(got, "4") == 0 && st->man.nret == 1,
		  "retention hides what is older, newer writes too (%s)", got);
	TAP_CHECK(ws_store_get(st, 2, 0, 2, &pt, &err) == WS_NOTFOUND,
		  "retention reaches every series");
	ws_delete_stats_init(&ds);
	rc = ws_delete_before(st, 3, false, 0, NULL, &ds, &err);
	TAP_CHECK(rc == WS_OK && st->man.nret == 1 && ds.commits == 0,
		  "an earlier cutoff right after a later one commits nothing");
	rc = ingest_text(st, "{\"entity_id\":1,\"timestamp\":2,\"vector\":[22]}\n",
			 &stats, &err);
	range_of(st, false, got, sizeof got);
	TAP_CHECK(rc == WS_OK && strcmp(got, "2,4") == 0,
		  "a write after a retention shows (%s)", got);
	rc = ws_delete_before(st, 3, false, 0, NULL, &ds, &err);
	range_of(st, false, got, sizeof got);
	TAP_CHECK(rc == WS_OK && st->man.nret == 2 && ds.commits == 1 &&
			  strcmp(got, "4") == 0,
		  "an earlier cutoff still hides what was written in between (%s)",
		  got);
	rc = ws_delete_before(st, 5, false, 0, NULL, &ds, &err);
	TAP_CHECK(rc == WS_OK && st->man.nret == 1,
		  "a later, wider cutoff supersedes the records before it (%zu)",
		  st->man.nret);
	rc = ws_delete_before(st, INT64_MAX, false, 0, NULL, &ds, &err);
	TAP_CHECK(rc == WS_EUSAGE, "a cutoff beyond 2^53 is refused");
	ws_store_close(st);
}

/*
 * Retention removes a data file all of whose blocks it drops: a second
 * data file is forced by claiming the first one full (a file takes 1 GiB
 * before the writer starts the next).
 */
static void
test_retention_files(void)
{
	char path[512], file1[600];
	snprintf(path, sizeof path, "%s/files", dir);
	snprintf(file1, sizeof file1, "%s/data/00000001.wsd", path);
	ws_store *st;
	ws_error err;
	ws_ingest_stats stats;
	ws_status rc = ws_store_open(path, WS_OPEN_WRITE, &st, &err);
	if (rc == WS_OK)
		rc = ingest_text(st, "{\"entity_id\":1,\"timestamp\":1,\"vector\":[1]}\n",
				 &stats, &err);
	ws__writer *w = NULL;
	if (rc == WS_OK)
		rc = ws__writer_begin(st, &w, &err);
	ws_batch b;
	ws__batch_init(&b);
	ws_point pt = {.entity_id = 1, .timestamp = 100, .dim = 1,
		       .vector = (const float[]){2}};
	if (rc == WS_OK) {
		ws_manifest *m = ws__writer_manifest(w);
		m->data[m->ndata - 1].length = UINT64_C(1) << 30;
		rc = ws__batch_add(&b, &pt, 1, &err);
	}
	if (rc == WS_OK && (rc = ws__writer_append(w, &b, &err)) == WS_OK)
		rc = ws__writer_publish(w, &err);
	ws__writer_end(w);
	ws__batch_free(&b);
	if (rc == WS_OK)
		rc = ws__store_reload(st, &err);
	TAP_CHECK(rc == WS_OK && st->man.ndata == 2,
		  "retention files: two data files (%s)", rc ? err.msg : "");
	if (rc != WS_OK) {
		ws_store_close(st);
		return;
	}
	ws_delete_stats ds;
	ws_delete_stats_init(&ds);
	rc = ws_delete_before(st, 50, false, 0, NULL, &ds, &err);
	struct stat sb;
	TAP_CHECK(rc == WS_OK && ds.files_before == 2 && ds.files_after == 1 &&
			  st->man.ndata == 1 && st->man.data[0].id == 2 &&
			  stat(file1, &sb) != 0,
		  "a data file holding only older blocks is removed (%s)",
		  rc ? err.msg : "");
	TAP_CHECK(ws_store_get(st, 1, 0, 100, &pt, &err) == WS_OK &&
			  ws_store_get(st, 1, 0, 1, &pt, &err) == WS_NOTFOUND,
		  "the newer point stays, the older one is gone");
	ws_store_close(st);
}

/*
 * The names of a store's files and the "STORE/REL: offset N" form of a
 * block, put together by hand (names.c): padding, the widest ids, and a
 * store path too long for the buffer, which is cut, terminated.
 */
static void
test_names(void)
{
	ws__name n;
	ws__data_file(1, &n);
	TAP_CHECK(strcmp(n.rel, "data/00000001.wsd") == 0 &&
			  strcmp(n.base, "00000001.wsd") == 0,
		  "data file 1 is data/00000001.wsd (%s)", n.rel);
	ws__data_file(UINT32_MAX, &n);
	TAP_CHECK(strcmp(n.rel, "data/4294967295.wsd") == 0,
		  "the widest data file id takes all its digits (%s)", n.rel);
	ws__segment_file(0, &n);
	TAP_CHECK(strcmp(n.rel, "index/0000000000000000.wsi") == 0,
		  "segment 0 is padded to 16 digits (%s)", n.rel);
	ws__segment_file(UINT64_MAX, &n);
	TAP_CHECK(strcmp(n.rel, "index/18446744073709551615.wsi") == 0 &&
			  strcmp(n.base, "18446744073709551615.wsi") == 0,
		  "the widest segment id takes all its digits (%s)", n.rel);
	char buf[WS_PATH_SIZE];
	ws__data_file(7, &n);
	ws__store_offset(buf, "/tmp/st", n.rel, 1234567890123ull);
	TAP_CHECK(strcmp(buf, "/tmp/st/data/00000007.wsd: offset 1234567890123") == 0,
		  "a block is named STORE/REL: offset N (%s)", buf);
	ws__store_offset(buf, "/tmp/st", n.rel, 0);
	TAP_CHECK(strcmp(buf, "/tmp/st/data/00000007.wsd: offset 0") == 0,
		  "offset 0 is printed (%s)", buf);
	static char longpath[WS_PATH_SIZE + 100];
	memset(longpath, 'a', sizeof longpath - 1);
	ws__store_offset(buf, longpath, n.rel, 5);
	TAP_CHECK(strlen(buf) == WS_PATH_SIZE - 1 && buf[0] == 'a',
		  "a path longer than the buffer is cut and terminated");
}

int
main(void)
{
	if (!tap_make_dir(dir, sizeof dir, "ws-unit"))
		return 99;
	test_names();
	test_manifest();
	test_segments();
	test_segment_pages();
	test_line_reader();
	test_store_api();
	test_lookup_chunk();
	test_lookup_halves();
	test_failed_reread();
	test_hiding();
	test_retention_files();
	return tap_done_in(dir);
}
