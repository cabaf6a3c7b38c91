/* parse-floor -- the single-thread cJSON parse floor for ws-ingest.
 *
 * Reads NDJSON from stdin, parses each line with cJSON_ParseWithLength
 * and frees it again, and prints the number of lines (and of lines that
 * did not parse) on stdout.  It does what any cJSON-based ingest has to
 * do at the least -- read the bytes, split lines, build and free a cJSON
 * tree -- and nothing else: no validation, no conversion, no storing.
 * scripts/bench compares ws-ingest's time with this program's.
 *
 * Usage: parse-floor < points.ndjson
 */
#include "config.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned long long lines = 0, bad = 0;

    while ((len = getline(&line, &cap, stdin)) != -1) {
        cJSON *doc = cJSON_ParseWithLength(line, (size_t)len);
        lines++;
        if (doc == NULL)
            bad++;
        cJSON_Delete(doc);
    }
    free(line);
    if (ferror(stdin)) {
        perror("parse-floor: stdin");
        return 2;
    }
    printf("%llu lines, %llu not parsed\n", lines, bad);
    return bad ? 1 : 0;
}
