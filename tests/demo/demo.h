/* SPDX-License-Identifier: GPL-2.0 */
/* What the demo programs of "make run" share: a failed check is reported. */
#ifndef DEMO_H
#define DEMO_H

#include <stdarg.h>
#include <stdio.h>

static int failures;

/* Report a check that did not hold; the program will exit 1. */
static void __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	printf("    FAILED: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	failures++;
}

#endif
