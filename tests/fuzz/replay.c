/*
 * replay.c - runs one fuzz target over its seed corpus and its regression
 * inputs, without libFuzzer, as a `make check` program that prints TAP.
 *
 * Built once per target with FUZZ_TARGET naming it ("ndjson", "block",
 * "manifest"); the inputs are read from $WS_FUZZ_DIR/corpus/TARGET and
 * $WS_FUZZ_DIR/regressions/TARGET (WS_FUZZ_DIR defaults to tests/fuzz
 * under the current directory). Each input runs in a child process, so
 * that an abort or a crash is reported against the file that caused it
 * and the other files still run. Arguments, when given, replace the
 * directories: files or directories to replay.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"
#include "tap.h"

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET must name the fuzz target"
#endif

/* Reads a whole file; NULL on error. */
static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf != NULL) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		uint8_t *bigger = realloc(buf, cap *= 2);
		if (bigger == NULL)
			free(buf);
		buf = bigger;
	}
	if (ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

static void
replay_file(const char *path)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		TAP_CHECK(0, "%s: fork: %s", path, strerror(errno));
		return;
	}
	if (pid == 0) {
		size_t len;
		uint8_t *data = slurp(path, &len);
		if (data == NULL)
			_exit(3);
		LLVMFuzzerTestOneInput(data, len);
		free(data);
		_exit(0);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status))
		TAP_CHECK(0, "%s: killed by signal %d", path, WTERMSIG(status));
	else
		TAP_CHECK(WEXITSTATUS(status) == 0, "%s%s", path,
			  WEXITSTATUS(status) == 3 ? ": unreadable" : "");
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Replays every regular file of dir in name order. A directory that
 * cannot be read fails: every target has a corpus and a regressions
 * directory (with a README when no crash was kept yet).
 */
static void
replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		TAP_CHECK(0, "%s: %s", dir, strerror(errno));
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "README") == 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			char **bigger = realloc(names, cap * sizeof *names);
			if (bigger == NULL)
				abort();
			names = bigger;
		}
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		if ((names[n] = malloc(len)) == NULL)
			abort();
		snprintf(names[n++], len, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, name_cmp);
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		if (stat(names[i], &sb) == 0 && S_ISREG(sb.st_mode))
			replay_file(names[i]);
		free(names[i]);
	}
	free(names);
}

static void
replay_path(const char *path)
{
	struct stat sb;
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		replay_dir(path);
	else
		replay_file(path);
}

int
main(int argc, char **argv)
{
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			replay_path(argv[i]);
		return tap_done();
	}
	const char *top = getenv("WS_FUZZ_DIR");
	if (top == NULL || *top == '\0')
		top = "tests/fuzz";
	static const char *const kinds[] = {"corpus", "regressions"};
	for (size_t k = 0; k < 2; k++) {
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/%s/%s", top, kinds[k], FUZZ_TARGET);
		replay_dir(dir);
	}
	return tap_done();
}
