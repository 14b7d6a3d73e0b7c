/* unit.h: what every unit test needs: cmocka, and a .nn source turned into
 * a checked network. */
#ifndef NNC_UNIT_H
#define NNC_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ast.h"
#include "fixed.h"
#include "nnc.h"

/* Write src to a temporary .nn file and parse it (NULL after errors). */
static inline struct ast_file *parse_src(const char *src)
{
	char path[] = "/tmp/nnc_unit_XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, src, strlen(src)) != (ssize_t)strlen(src))
		abort();
	close(fd);
	struct ast_file *ast = parse_file(xstrdup(path));
	unlink(path);
	return ast;
}

/* The tree checked and its live layers marked, as the driver does; NULL
 * when any error was reported since `before`. */
static inline struct network *net_checked(struct ast_file *ast, int before)
{
	struct network *net = ast ? sema(ast) : NULL;
	if (error_count() > before)
		return NULL;
	mark_live(net);
	return net;
}

/* A network file, parsed and checked. */
static inline struct network *net_file(const char *path)
{
	int before = error_count();
	return net_checked(parse_file(path), before);
}

/* A network's source text, parsed and checked. */
static inline struct network *net_src(const char *src)
{
	int before = error_count();
	return net_checked(parse_src(src), before);
}

#endif
