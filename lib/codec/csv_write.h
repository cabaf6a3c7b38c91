/*
 * csv_write.h - what the CSV writer and the NDJSON writer share inside
 * the codec layer: a
 * ws_output holds a CSV state once ws_output_set_format chose CSV, and
 * the CSV metadata column is the NDJSON metadata object.
 */
#ifndef WS_CSV_WRITE_H
#define WS_CSV_WRITE_H

#include "codec/codec.h"

typedef struct ws__csv ws__csv;

ws__csv *ws__csv_new(void);
void ws__csv_free(ws__csv *csv);
/* The header (before the first point) and the CSV record of pt. */
ws_status ws__csv_point(ws_output *out, ws__csv *csv, const ws_point *pt,
			ws_error *err);

/* Whether pt has a metadata pair: an empty object is left out. */
bool ws__point_has_meta(const ws_point *pt);
/* The metadata of pt as one JSON object, `{"k":"v",...}`. */
ws_status ws__output_meta_object(ws_output *out, const ws_point *pt,
				 ws_error *err);

#endif
