/*
 * same_point.h - whether two parsed points are the same, field for field
 * and bit for bit: shared by the unit tests and the fuzz targets.
 */
#ifndef WS_SAME_POINT_H
#define WS_SAME_POINT_H

#include <stdbool.h>
#include <string.h>

#include "warmstore.h"

static inline bool
same_point(const ws_point *a, const ws_point *b)
{
	return a->entity_id == b->entity_id && a->space_id == b->space_id &&
	       a->timestamp == b->timestamp && a->dim == b->dim &&
	       memcmp(a->vector, b->vector, a->dim * sizeof(float)) == 0 &&
	       a->meta_len == b->meta_len &&
	       (a->meta_len == 0 || memcmp(a->meta, b->meta, a->meta_len) == 0);
}

#endif
