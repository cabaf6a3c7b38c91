/*
 * printer.c - points printed on a helper thread while the caller reads
 * the next ones.
 *
 * Turning floats into shortest decimals costs about as much as finding
 * and decoding the points: a long output (ws-range(1)) splits the two
 * over two cores. The caller's points are copied into a
 * batch; a full batch goes to the helper, which prints it while the
 * caller fills the other one. The first points are printed directly, so
 * that a query of a few points never starts a thread.
 *
 * Printing takes longer than reading (ws-range --all: about 60% of the
 * work), so a caller whose batch is full while the helper still prints
 * does not wait: it prints its own batch into memory, a chunk at a time,
 * until the helper is free, and hands over that text and the points it
 * did not get to. The helper writes the text, then prints the rest.
 * Only for NDJSON: CSV checks each point against its header.
 */
#include "codec/codec.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Printed before the helper starts: this many points or values. */
#define DIRECT_POINTS 4096u
#define DIRECT_VALUES 65536u
#define BATCH_POINTS 8192u             /* a batch goes to the helper at ... */
#define BATCH_BYTES (1024u * 1024u)    /* ... this many points or bytes */
#define CHUNK_POINTS 256u /* printed ahead before looking at the helper */

struct ws_printer {
	ws_output *out;
	uint64_t direct, direct_values; /* printed on the calling thread */
	ws_batch fill;   /* the caller's */
	ws_batch work;   /* the helper's while work_ready, from work_from */
	size_t work_from;
	ws_output *ahead;     /* the caller's text of fill, printed ahead */
	ws_output *work_text; /* the helper's: written before work */
	bool started, work_ready, quit;
	pthread_t helper;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* work_ready or quit changed */
	ws_status rc;      /* the printing's first failure, with err */
	ws_error err;
	uint64_t printed_ahead;
};

ws_printer *
ws_printer_new(ws_output *out, ws_error *err)
{
	ws_printer *p = calloc(1, sizeof *p);
	if (p != NULL && pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p);
		p = NULL;
	}
	if (p != NULL && pthread_cond_init(&p->cv, NULL) != 0) {
		(void)pthread_mutex_destroy(&p->mu);
		free(p);
		p = NULL;
	}
	if (p == NULL) {
		ws__err(err, WS_ENOMEM, "out of memory");
		return NULL;
	}
	p->out = out;
	ws__batch_init(&p->fill);
	ws__batch_init(&p->work);
	return p;
}

/* The text printed ahead of the helper's batch, then its points. */
static ws_status
print_work(ws_printer *p, ws_error *err)
{
	ws_status rc = WS_OK;
	size_t n = p->work_text ? ws_output_size(p->work_text) : 0;
	if (n > 0) {
		const char *text = ws_output_memory(p->work_text, err);
		rc = text ? ws_output_bytes(p->out, text, n, err) : WS_ENOMEM;
		ws_output_memory_reset(p->work_text);
	}
	for (size_t i = p->work_from; i < p->work.n && rc == WS_OK; i++) {
		ws_point pt;
		ws__batch_point(&p->work, i, &pt);
		rc = ws_output_point(p->out, &pt, err);
	}
	return rc;
}

/*
 * The helper: prints each batch handed to it. After a failure it still
 * takes the batches, printing nothing, until the caller sees the failure.
 * (The mutex and condition calls cannot fail on an initialised pair.)
 */
static void *
helper_main(void *arg)
{
	ws_printer *p = arg;
	(void)pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->work_ready && !p->quit)
			(void)pthread_cond_wait(&p->cv, &p->mu);
		if (!p->work_ready)
			break;
		bool failed = p->rc != WS_OK;
		(void)pthread_mutex_unlock(&p->mu);
		ws_error err;
		ws_status rc = failed ? WS_OK : print_work(p, &err);
		(void)pthread_mutex_lock(&p->mu);
		if (rc != WS_OK) {
			p->rc = rc;
			p->err = err;
		}
		p->work_ready = false;
		(void)pthread_cond_broadcast(&p->cv);
	}
	(void)pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Waits until the helper is done with its batch; its failure, if any. */
static ws_status
wait_idle(ws_printer *p, ws_error *err)
{
	(void)pthread_mutex_lock(&p->mu);
	while (p->work_ready)
		(void)pthread_cond_wait(&p->cv, &p->mu);
	ws_status rc = p->rc;
	if (rc != WS_OK)
		*err = p->err;
	(void)pthread_mutex_unlock(&p->mu);
	return rc;
}

static bool
helper_busy(ws_printer *p)
{
	(void)pthread_mutex_lock(&p->mu);
	bool busy = p->work_ready;
	(void)pthread_mutex_unlock(&p->mu);
	return busy;
}

/* The memory outputs of the text printed ahead, made on first use;
 * false when there are none to be had. */
static bool
ahead_outputs(ws_printer *p)
{
	if (p->ahead != NULL)
		return true;
	p->ahead = ws_output_new_memory();
	p->work_text = ws_output_new_memory();
	if (p->ahead == NULL || p->work_text == NULL)
		return false;
	ws_output_set_time_format(p->ahead, ws_output_time_format(p->out));
	ws_output_set_time_format(p->work_text,
				  ws_output_time_format(p->out));
	return true;
}

/*
 * While the helper is busy, the fill batch's points printed into
 * p->ahead, a chunk at a time; the number printed.
 */
static ws_status
print_ahead(ws_printer *p, size_t *done, ws_error *err)
{
	*done = 0;
	if (ws__output_is_csv(p->out) || !ahead_outputs(p))
		return WS_OK;
	ws_status rc = WS_OK;
	while (rc == WS_OK && *done < p->fill.n && helper_busy(p)) {
		size_t end = *done + CHUNK_POINTS < p->fill.n
				     ? *done + CHUNK_POINTS
				     : p->fill.n;
		for (; rc == WS_OK && *done < end; (*done)++) {
			ws_point pt;
			ws__batch_point(&p->fill, *done, &pt);
			rc = ws_output_point(p->ahead, &pt, err);
		}
	}
	p->printed_ahead += *done;
	return rc;
}

uint64_t
ws__printer_printed_ahead(const ws_printer *p)
{
	return p->printed_ahead;
}

/* Hands the filled batch (less what was printed ahead, as text) to the
 * helper and takes back the other one. */
static ws_status
hand_over(ws_printer *p, ws_error *err)
{
	size_t done;
	ws_status rc = print_ahead(p, &done, err);
	if (rc == WS_OK)
		rc = wait_idle(p, err);
	if (rc != WS_OK)
		return rc;
	(void)pthread_mutex_lock(&p->mu);
	ws_batch t = p->work;
	p->work = p->fill;
	p->fill = t;
	p->work_from = done;
	ws_output *text = p->work_text;
	p->work_text = p->ahead;
	p->ahead = text;
	p->work_ready = true;
	(void)pthread_cond_broadcast(&p->cv);
	(void)pthread_mutex_unlock(&p->mu);
	ws__batch_reset(&p->fill);
	return WS_OK;
}

ws_status
ws_printer_point(ws_printer *p, const ws_point *pt, ws_error *err)
{
	if (!p->started && p->direct < DIRECT_POINTS &&
	    p->direct_values < DIRECT_VALUES) {
		p->direct++;
		p->direct_values += pt->dim;
		return ws_output_point(p->out, pt, err);
	}
	if (!p->started) {
		p->started =
			pthread_create(&p->helper, NULL, helper_main, p) == 0;
		if (!p->started) /* no thread to be had: print here */
			return ws_output_point(p->out, pt, err);
	}
	ws_status rc = ws__batch_add(&p->fill, pt, 0, err);
	if (rc == WS_OK && (p->fill.n >= BATCH_POINTS ||
			    ws__batch_bytes(&p->fill) >= BATCH_BYTES))
		rc = hand_over(p, err);
	return rc;
}

ws_status
ws_printer_flush(ws_printer *p, ws_error *err)
{
	if (!p->started)
		return WS_OK;
	ws_status rc = p->fill.n > 0 ? hand_over(p, err) : WS_OK;
	return rc == WS_OK ? wait_idle(p, err) : rc;
}

/* A memory output emptied and closed: that writes nothing anywhere. */
static void
close_memory(ws_output *o)
{
	if (o == NULL)
		return;
	ws_output_memory_reset(o);
	ws_error err;
	ws_status rc = ws_output_close(o, &err);
	(void)rc;
}

void
ws_printer_free(ws_printer *p)
{
	if (p == NULL)
		return;
	if (p->started) {
		(void)pthread_mutex_lock(&p->mu);
		p->quit = true;
		(void)pthread_cond_broadcast(&p->cv);
		(void)pthread_mutex_unlock(&p->mu);
		/* Joining a thread this file started cannot fail. */
		(void)pthread_join(p->helper, NULL);
	}
	(void)pthread_cond_destroy(&p->cv);
	(void)pthread_mutex_destroy(&p->mu);
	ws__batch_free(&p->fill);
	ws__batch_free(&p->work);
	close_memory(p->ahead);
	close_memory(p->work_text);
	free(p);
}
