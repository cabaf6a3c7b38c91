/*
 * error.c - status names and the messages kept in ws_error.
 */
#include "common/common.h"

#include <stdio.h>
#include <errno.h>
#include <string.h>

const char *
ws_strerror(ws_status code)
{
	switch (code) {
	case WS_OK:
		return "success";
	case WS_NOTFOUND:
		return "not found";
	case WS_EBADINPUT:
		return "bad input";
	case WS_ECORRUPT:
		return "damaged store file";
	case WS_EIO:
		return "input/output error";
	case WS_ENOMEM:
		return "out of memory";
	case WS_EUSAGE:
		return "invalid argument";
	case WS_EINTR:
		return "interrupted";
	}
	return "unknown status";
}

static ws_status
set_message(ws_error *err, ws_status code, int errno_value, const char *fmt,
	    va_list ap)
{
	if (err == NULL)
		return code;
	err->code = code;
	int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	if (n < 0)
		n = 0;
	size_t used = (size_t)n < sizeof err->msg ? (size_t)n
						  : sizeof err->msg - 1;
	if (errno_value != 0)
		snprintf(err->msg + used, sizeof err->msg - used, ": %s",
			 errno_value == WS__ENOTREG ? "not a regular file"
						    : strerror(errno_value));
	return code;
}

ws_status
ws__err(ws_error *err, ws_status code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_message(err, code, 0, fmt, ap);
	va_end(ap);
	return code;
}

ws_status
ws__errno(ws_error *err, int errno_value, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ws_status code = errno_value == ENOMEM	     ? WS_ENOMEM
			 : errno_value == WS__ENOTREG ? WS_ECORRUPT
						      : WS_EIO;
	set_message(err, code, errno_value, fmt, ap);
	va_end(ap);
	return code;
}

void
ws__err_prefix(ws_error *err, const char *fmt, ...)
{
	if (err == NULL)
		return;
	char msg[2 * sizeof err->msg + 2];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	size_t used = (size_t)n < sizeof err->msg ? (size_t)n : sizeof err->msg - 1;
	memcpy(msg + used, ": ", 2);
	memcpy(msg + used + 2, err->msg, sizeof err->msg);
	memcpy(err->msg, msg, sizeof err->msg - 1);
	err->msg[sizeof err->msg - 1] = '\0';
}
