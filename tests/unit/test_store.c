/*
 * test_store.c - unit tests of the store internals: manifest load and
 * save, index segments, commit and lookups through the library API.
 */
#include "ws_private.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

int
main(void)
{
	return tap_done();
}
