/*
 * fuzz_manifest.c - libFuzzer target for the loaders of the files a
 * reader trusts least: STORE/MANIFEST and the index segments.
 *
 * The first input byte picks a mode:
 *   0  the rest is a MANIFEST; one that loads is saved and loaded again,
 *      and must come back the same;
 *   1  the rest is an index segment, opened with the record count and id
 *      its own header claims, then every record is read and searched;
 *   2  the same with the header and record CRCs made to match, so that
 *      the fuzzer reaches the field checks and the binary search;
 *   3  the rest is a MANIFEST's text before its closing "crc" member,
 *      which the harness adds with the CRC that matches (warmstore(5)),
 *      so that the fuzzer reaches the JSON reader and the field checks.
 * The files go to a private store directory made once per process
 * (under /dev/shm when it exists: the saves fsync).
 */
#include "store/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#define MAX_RECORDS_READ 4096u

static char store[4096];
static int dirfd_ = -1, indexfd = -1;

static void
cleanup(void)
{
	char path[4200];
	/* Only the names this target writes: nothing else is ever there. */
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s", store,
			 i ? "MANIFEST.tmp" : "MANIFEST");
		unlink(path);
	}
	DIR *d;
	snprintf(path, sizeof path, "%s/index", store);
	if ((d = opendir(path)) != NULL) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.')
				unlinkat(indexfd, e->d_name, 0);
		closedir(d);
	}
	rmdir(path);
	rmdir(store);
}

static void
make_store(void)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(store, sizeof store, "%s/ws-fuzz-manifest.XXXXXX", base);
	FUZZ_CHECK(mkdtemp(store) != NULL);
	dirfd_ = open(store, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_CHECK(dirfd_ >= 0);
	FUZZ_CHECK(mkdirat(dirfd_, "index", 0777) == 0);
	indexfd = openat(dirfd_, "index", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_CHECK(indexfd >= 0);
	atexit(cleanup);
}

static void
put_file(int dir, const char *rel, const void *p, size_t n)
{
	int fd = openat(dir, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			0666);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(write(fd, p, n) == (ssize_t)n);
	FUZZ_CHECK(close(fd) == 0);
}

/* Field by field: the structs have padding that no load sets. */
static bool
same_data(const ws_datafile_ref *a, const ws_datafile_ref *b)
{
	return a->id == b->id && a->length == b->length && a->waste == b->waste;
}

static bool
same_quarantine(const ws_quarantine *a, const ws_quarantine *b)
{
	return a->id == b->id && a->offset == b->offset && a->length == b->length;
}

static bool
same_retention(const ws__retention *a, const ws__retention *b)
{
	return a->seq == b->seq && a->before == b->before &&
	       a->has_space == b->has_space && a->space == b->space &&
	       a->file == b->file;
}

static bool
same_segment(const ws_segment_ref *a, const ws_segment_ref *b)
{
	return a->id == b->id && a->records == b->records;
}

static bool
same_space(const ws_space_dim *a, const ws_space_dim *b)
{
	return a->space == b->space && a->dim == b->dim;
}

static bool
same_manifest(const ws_manifest *a, const ws_manifest *b)
{
#define SAME_EACH(f, n, same)                                                 \
	do {                                                                  \
		if (a->n != b->n)                                             \
			return false;                                         \
		for (size_t i = 0; i < a->n; i++)                             \
			if (!same(&a->f[i], &b->f[i]))                        \
				return false;                                 \
	} while (0)
	SAME_EACH(data, ndata, same_data);
	SAME_EACH(segs, nsegs, same_segment);
	SAME_EACH(spaces, nspaces, same_space);
	SAME_EACH(quar, nquar, same_quarantine);
	SAME_EACH(ret, nret, same_retention);
#undef SAME_EACH
	return a->generation == b->generation && a->next_seq == b->next_seq &&
	       a->next_segment == b->next_segment;
}

static void
fuzz_manifest(const uint8_t *p, size_t n)
{
	ws_error err;
	ws_manifest m, again;
	put_file(dirfd_, WS_MANIFEST, p, n);
	ws_status rc = ws__manifest_load(dirfd_, store, &m, &err);
	FUZZ_CHECK(rc == WS_OK || rc == WS_ECORRUPT);
	if (rc != WS_OK) {
		FUZZ_CHECK(err.msg[0] != '\0');
		return;
	}
	for (size_t i = 1; i < m.ndata; i++)
		FUZZ_CHECK(m.data[i].id > m.data[i - 1].id);
	for (size_t i = 0; i < m.nspaces; i++) {
		FUZZ_CHECK(m.spaces[i].dim >= 1 && m.spaces[i].dim <= WS_MAX_DIM);
		FUZZ_CHECK(ws__manifest_dim(&m, m.spaces[i].space) ==
			   m.spaces[i].dim);
	}
	for (size_t i = 0; i < m.nquar; i++) {
		const ws_datafile_ref *f = ws__manifest_datafile(&m, m.quar[i].id);
		FUZZ_CHECK(f != NULL);
		FUZZ_CHECK(m.quar[i].offset + m.quar[i].length <= f->length);
	}
	/* What loads must survive a save and a load unchanged. */
	FUZZ_CHECK(ws__manifest_save(dirfd_, store, &m, &err) == WS_OK);
	rc = ws__manifest_load(dirfd_, store, &again, &err);
	if (rc != WS_OK)
		fprintf(stderr, "saved manifest does not load: %s\n", err.msg);
	FUZZ_CHECK(rc == WS_OK);
	FUZZ_CHECK(same_manifest(&m, &again));
	ws_manifest copy;
	FUZZ_CHECK(ws__manifest_copy(&copy, &m, &err) == WS_OK);
	FUZZ_CHECK(same_manifest(&m, &copy));
	ws__manifest_free(&copy);
	ws__manifest_free(&again);
	ws__manifest_free(&m);
}

/* The text with its checksum member, as ws__manifest_save closes it. */
static void
fuzz_sealed_manifest(const uint8_t *p, size_t n)
{
	char tail[32];
	int len = snprintf(tail, sizeof tail, ",\n\"crc\":%" PRIu32 "}\n",
			   ws__crc32(p, n));
	FUZZ_CHECK(len > 0 && (size_t)len < sizeof tail);
	uint8_t *text = malloc(n + (size_t)len);
	FUZZ_CHECK(text != NULL);
	if (n > 0)
		memcpy(text, p, n);
	memcpy(text + n, tail, (size_t)len);
	fuzz_manifest(text, n + (size_t)len);
	free(text);
}

static void
fuzz_segment(const uint8_t *p, size_t n, bool seal)
{
	ws_error err;
	ws_segment_ref ref = {0, n >= WS_SEG_HEADER
					 ? (n - WS_SEG_HEADER) / WS_SEG_RECORD
					 : 0};
	unsigned char *copy = malloc(n ? n : 1);
	FUZZ_CHECK(copy != NULL);
	if (n > 0)
		memcpy(copy, p, n);
	if (n >= 24)
		ref.id = ws__get_u64(copy + 16);
	if (seal && n >= WS_SEG_HEADER) {
		memcpy(copy, "WSI1", 4);
		ws__put_u16(copy + 4, 1);
		ws__put_u64(copy + 8, ref.records);
		ws__put_u32(copy + 60, ws__crc32(copy, 60));
		for (uint64_t i = 0; i < ref.records; i++) {
			unsigned char *r = copy + WS_SEG_HEADER + i * WS_SEG_RECORD;
			ws__put_u32(r + 60, ws__crc32(r, 60));
		}
	}
	ws__name rel;
	ws__segment_file(ref.id, &rel);
	put_file(indexfd, rel.base, copy, n);
	ws_segment seg;
	ws_status rc = ws__segment_open(indexfd, store, &ref, &seg, &err);
	FUZZ_CHECK(rc == WS_OK || rc == WS_ECORRUPT);
	if (rc == WS_OK) {
		uint64_t lim = ref.records < MAX_RECORDS_READ ? ref.records
							       : MAX_RECORDS_READ;
		ws_zone z, first = {0}, last = {0};
		for (uint64_t i = 0; i < lim; i++) {
			if (ws__segment_record(&seg, i, &z, store, &err) != WS_OK)
				continue;
			FUZZ_CHECK(z.min_ts <= z.max_ts && z.count > 0);
			if (i == 0)
				first = z;
			last = z;
		}
		uint64_t pos;
		const ws_zone *probe[] = {&first, &last};
		for (size_t k = 0; k < 2; k++) {
			const ws_zone *q = probe[k];
			for (int d = -1; d <= 1; d++)
				if (ws__segment_lower_bound(
					    &seg, q->entity + (uint64_t)d,
					    q->space, &pos, store, &err) == WS_OK)
					FUZZ_CHECK(pos <= seg.records);
		}
		ws__segment_close(&seg);
	}
	unlinkat(indexfd, rel.base, 0);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (dirfd_ < 0)
		make_store();
	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		fuzz_manifest(data + 1, size - 1);
		break;
	case 1:
		fuzz_segment(data + 1, size - 1, false);
		break;
	case 2:
		fuzz_segment(data + 1, size - 1, true);
		break;
	case 3:
		fuzz_sealed_manifest(data + 1, size - 1);
		break;
	}
	return 0;
}
