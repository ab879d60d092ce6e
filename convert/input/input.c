// SPDX-License-Identifier: GPL-2.0-only
/*
 * The input layer: detect an input's format from its first bytes and hand
 * it to the matching importer.  Inputs that an importer must read twice
 * (text and legacy binary, whose first snapshot start is derived from the
 * last snapshot) are spooled to an unlinked temporary file when they come
 * from a pipe, so memory stays bounded whatever the input.
 */
#define _GNU_SOURCE
#include "input.h"
#include "input_internal.h"
#include "time_order.h"
#include "errmsg.h"
#include "fileio.h"
#include "tempfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#define PEEK_BYTES 65536

struct dt_input {
	enum dt_input_format format;
	char *name;
	int fd;                 /* our descriptor, -1 when none */
	unsigned char *prefix;  /* bytes read from a pipe for detection */
	size_t prefix_len;
	struct dt_src src;
	struct dt_importer imp;
	struct dtr_reader *dtr;
	struct dt_input_opts opts;
	struct dt_time_order *order; /* opts.time_order on damo json */
	int drained;                 /* the input read: snapshots from order */
};

/* ------------------------------------------------------------ detection */

int dt_probe_zlib(const unsigned char *b, size_t len)
{
	/* RFC 1950 header: deflate method, 32K window at most, FCHECK, no dict. */
	return len >= 2 && (b[0] & 0x0f) == 8 && (b[0] >> 4) <= 7 &&
	       ((unsigned)b[0] * 256 + b[1]) % 31 == 0 && !(b[1] & 0x20);
}

/* A zlib header is two bytes that other formats can start with by chance
 * (a legacy binary record's seconds, say): inflate the start and require
 * damo's JSON inside. */
static int probe_damo_json_compressed(const unsigned char *b, size_t len)
{
	unsigned char out[256];
	z_stream zs;
	int ok = 0;

	if (!dt_probe_zlib(b, len))
		return 0;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK)
		return 0;
	zs.next_in = (unsigned char *)b;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = sizeof(out);
	int r = inflate(&zs, Z_NO_FLUSH);
	if (r == Z_OK || r == Z_STREAM_END || (r == Z_BUF_ERROR && zs.total_out))
		ok = zs.total_out ? dt_probe_damo_json(out, zs.total_out) : 0;
	/* Nothing inflated yet from a short prefix: trust the header. */
	if (!zs.total_out && r == Z_OK)
		ok = 1;
	inflateEnd(&zs);
	return ok;
}

int dt_probe_damo_json(const unsigned char *b, size_t len)
{
	size_t i = 0;

	if (len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
		i = 3;
	while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))
		i++;
	return i < len && b[i] == '[';
}

static enum dt_input_format detect(const unsigned char *b, size_t len)
{
	if (dtr_probe(b, len))
		return DT_INPUT_DTR;
	if (len >= 8 && !memcmp(b, "PERFILE2", 8))
		return DT_INPUT_PERF_DATA;
	if (probe_damo_json_compressed(b, len))
		return DT_INPUT_DAMO_JSON_COMPRESSED;
	if (dt_probe_damo_json(b, len))
		return DT_INPUT_DAMO_JSON;
	if (dt_probe_damo_binary(b, len))
		return DT_INPUT_DAMO_BINARY;
	switch (dt_probe_damon_text(b, len)) {
	case 1: return DT_INPUT_PERF_SCRIPT;
	case 2: return DT_INPUT_TRACEFS_TEXT;
	}
	return DT_INPUT_UNKNOWN;
}

const char *dt_input_format_name(enum dt_input_format format)
{
	switch (format) {
	case DT_INPUT_DTR: return "dtr";
	case DT_INPUT_DAMO_JSON: return "damo-json";
	case DT_INPUT_DAMO_JSON_COMPRESSED: return "damo-json-compressed";
	case DT_INPUT_DAMO_BINARY: return "damo-binary";
	case DT_INPUT_PERF_SCRIPT: return "perf-script";
	case DT_INPUT_TRACEFS_TEXT: return "tracefs-text";
	case DT_INPUT_PERF_DATA: return "perf-data";
	case DT_INPUT_UNKNOWN: break;
	}
	return "unknown";
}

enum dt_input_format dt_input_format(const struct dt_input *in)
{
	return in->format;
}

/* ------------------------------------------------------------ helpers */

/* A temporary file for the input `name` (tempfile.h): its descriptor, with
 * its name copied into path when keep_name; or a negative errno. */
static int make_tmp_fd(char *path, size_t pathlen, int keep_name, const char *name,
		       char *err, size_t errlen)
{
	struct dt_tempfile t;
	char why[DT_QUOTE_BUFLEN + 128];
	int ret = dt_tempfile_create(&t, NULL, "damotrace-spool.", NULL,
				     keep_name ? DT_TEMPFILE_NAMED : DT_TEMPFILE_UNLINKED, why,
				     sizeof(why));

	if (ret)
		return dt_fail(err, errlen, ret, "%s: %s", name, why);
	if (keep_name && snprintf(path, pathlen, "%s", t.path) >= (int)pathlen) {
		dt_tempfile_delete(&t);
		return dt_fail(err, errlen, -ENAMETOOLONG, "%s: temporary file name too long",
			       name);
	}
	free(t.path); /* the name is the caller's now, in path */
	return t.fd;
}

/* Copy the prefix and the rest of in->fd into a temporary file that then
 * becomes the (seekable) source. */
static int spool(struct dt_input *in, int keep_name, char *path, size_t pathlen,
		 char *err, size_t errlen)
{
	char local[4096];
	char buf[65536];
	int ret;
	int fd = make_tmp_fd(keep_name ? path : local, keep_name ? pathlen : sizeof(local),
			     keep_name, in->name, err, errlen);

	if (fd < 0)
		return fd;
	ret = dt_write_all(fd, in->prefix, in->prefix_len);
	while (!ret) {
		ssize_t n = read(in->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		ret = dt_write_all(fd, buf, (size_t)n);
	}
	if (ret) {
		if (errlen)
			snprintf(err, errlen, "%s: cannot spool the input to a temporary file: %s",
				 in->name, strerror(-ret));
		close(fd);
		if (keep_name)
			unlink(path);
		return ret;
	}
	if (in->fd != STDIN_FILENO)
		close(in->fd);
	in->fd = fd;
	free(in->prefix);
	in->prefix = NULL;
	in->prefix_len = 0;
	in->src.fd = fd;
	in->src.mem = NULL;
	in->src.mem_len = in->src.mem_pos = 0;
	in->src.seekable = 1;
	in->src.offset = 0;
	lseek(fd, 0, SEEK_SET);
	return 0;
}

static int find_in_path(const char *prog)
{
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t n = colon ? (size_t)(colon - path) : strlen(path);
		char full[4096];
		snprintf(full, sizeof(full), "%.*s/%s", (int)n, n ? path : ".", prog);
		if (access(full, X_OK) == 0)
			return 1;
		path += n;
		if (*path == ':')
			path++;
	}
	return 0;
}

/* Run `perf script` on a perf.data file; its text output becomes the source. */
static int open_perf_data(struct dt_input *in, const char *path, char *err, size_t errlen)
{
	const char *perf = in->opts.perf_path ? in->opts.perf_path : "perf";
	char data_path[4096], out_path[4096], err_path[4096];
	int ret, spooled = 0;

	if (!find_in_path(perf)) {
		if (errlen)
			snprintf(err, errlen,
				 "%s: reading a perf.data file needs perf, and '%s' was not found "
				 "(install linux-perf, or name it with --perf-path)",
				 in->name, perf);
		return -ENOENT;
	}
	if (!path) {
		/* perf needs a named file: spool the pipe into one. */
		ret = spool(in, 1, data_path, sizeof(data_path), err, errlen);
		if (ret)
			return ret;
		spooled = 1;
		path = data_path;
	}
	int out_fd = make_tmp_fd(out_path, sizeof(out_path), 0, in->name, err, errlen);
	if (out_fd < 0) {
		if (spooled)
			unlink(data_path);
		return out_fd;
	}
	int err_fd = make_tmp_fd(err_path, sizeof(err_path), 0, in->name, err, errlen);
	if (err_fd < 0) {
		close(out_fd);
		if (spooled)
			unlink(data_path);
		return err_fd;
	}
	pid_t pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(out_fd);
		close(err_fd);
		if (spooled)
			unlink(data_path);
		if (errlen)
			snprintf(err, errlen, "%s: cannot run %s: %s", in->name, perf,
				 strerror(-ret));
		return ret;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, STDIN_FILENO);
		dup2(out_fd, STDOUT_FILENO);
		dup2(err_fd, STDERR_FILENO);
		/* Fields for tracepoints only: other events keep perf's defaults
		 * (and are skipped by the text reader), without call chains. */
		execlp(perf, perf, "script", "--force", "--hide-call-graph", "-i", path, "-F",
		       "trace:comm,tid,cpu,time,event,trace", (char *)NULL);
		_exit(127);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (spooled)
		unlink(data_path);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char line[256] = "";
		ssize_t n = pread(err_fd, line, sizeof(line) - 1, 0);
		if (n > 0) {
			line[n] = '\0';
			line[strcspn(line, "\n")] = '\0';
		}
		close(out_fd);
		close(err_fd);
		char said[sizeof(line) * 4];
		if (errlen)
			snprintf(err, errlen, "%s: '%s script' failed (%s %d)%s%s", in->name, perf,
				 WIFEXITED(status) ? "exit status" : "signal",
				 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
				 line[0] ? ": " : "", dt_message_safe(said, sizeof(said), line));
		return -EIO;
	}
	close(err_fd);
	if (in->fd >= 0 && in->fd != STDIN_FILENO)
		close(in->fd);
	in->fd = out_fd;
	free(in->prefix);
	in->prefix = NULL;
	in->prefix_len = 0;
	in->src.fd = out_fd;
	in->src.mem = NULL;
	in->src.mem_len = in->src.mem_pos = 0;
	in->src.seekable = 1;
	in->src.offset = 0;
	lseek(out_fd, 0, SEEK_SET);
	return dt_in_damon_text_open(&in->imp, &in->src, 0, err, errlen);
}

static int open_importer(struct dt_input *in, enum dt_input_format format, char *err,
			 size_t errlen)
{
	int ret;

	switch (format) {
	case DT_INPUT_DAMO_JSON:
		return dt_in_damo_json_open(&in->imp, &in->src, 0, err, errlen);
	case DT_INPUT_DAMO_JSON_COMPRESSED:
		return dt_in_damo_json_open(&in->imp, &in->src, 1, err, errlen);
	case DT_INPUT_DAMO_BINARY:
	case DT_INPUT_PERF_SCRIPT:
	case DT_INPUT_TRACEFS_TEXT:
		if (!in->src.seekable && (ret = spool(in, 0, NULL, 0, err, errlen)))
			return ret;
		if (format == DT_INPUT_DAMO_BINARY)
			return dt_in_damo_binary_open(&in->imp, &in->src, err, errlen);
		return dt_in_damon_text_open(&in->imp, &in->src,
					     format == DT_INPUT_TRACEFS_TEXT, err, errlen);
	default:
		break;
	}
	if (errlen)
		snprintf(err, errlen, "%s: unknown input format", in->name);
	return -EINVAL;
}

static struct dt_input *input_new(const char *name, const struct dt_input_opts *opts)
{
	struct dt_input *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->name = strdup(name);
	if (!in->name) {
		free(in);
		return NULL;
	}
	in->fd = -1;
	if (opts)
		in->opts = *opts;
	in->src.name = in->name;
	in->src.fd = -1;
	return in;
}

static void unknown_format_error(const char *name, size_t len, char *err, size_t errlen)
{
	if (!errlen)
		return;
	if (!len)
		snprintf(err, errlen, "%s: empty input", name);
	else
		snprintf(err, errlen,
			 "%s: unrecognised input format at byte offset 0 (not a damotrace "
			 "record, damo json/json_compressed or binary record, perf script or "
			 "tracefs text of damon_aggregated, nor perf.data)", name);
}

int dt_input_open(struct dt_input **out, const char *path, const struct dt_input_opts *opts,
		  char *err, size_t errlen)
{
	int is_stdin = !strcmp(path, "-");
	struct dt_input *in = input_new(opts && opts->name ? opts->name : is_stdin ? "stdin" : path,
					opts);
	unsigned char *peek = NULL;
	size_t peek_len = 0;
	struct stat st;
	int ret;

	if (!in)
		return -ENOMEM;
	if (is_stdin) {
		in->fd = STDIN_FILENO;
	} else {
		in->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (in->fd < 0) {
			ret = -errno;
			if (errlen)
				snprintf(err, errlen, "%s: %s", path, strerror(-ret));
			goto fail;
		}
	}
	if (fstat(in->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		ret = -EISDIR;
		if (errlen)
			snprintf(err, errlen, "%s: is a directory", in->name);
		goto fail;
	}
	in->src.fd = in->fd;
	/* Seekable inputs are reopened by name below: standard input has none,
	 * so it is read as a stream even when it is a regular file. */
	in->src.seekable = !is_stdin && S_ISREG(st.st_mode) && lseek(in->fd, 0, SEEK_CUR) == 0;
	peek = malloc(PEEK_BYTES);
	if (!peek) {
		ret = -ENOMEM;
		goto fail;
	}
	while (peek_len < PEEK_BYTES) {
		ssize_t n = read(in->fd, peek + peek_len, PEEK_BYTES - peek_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			if (errlen)
				snprintf(err, errlen, "%s: read error at byte offset %zu: %s",
					 in->name, peek_len, strerror(-ret));
			goto fail;
		}
		if (n == 0)
			break;
		peek_len += (size_t)n;
	}
	in->format = detect(peek, peek_len);
	if (in->format == DT_INPUT_UNKNOWN) {
		unknown_format_error(in->name, peek_len, err, errlen);
		ret = -EINVAL;
		goto fail;
	}
	if (in->src.seekable) {
		lseek(in->fd, 0, SEEK_SET);
		free(peek);
		peek = NULL;
	} else {
		in->prefix = peek;
		in->prefix_len = peek_len;
		in->src.mem = peek;
		in->src.mem_len = peek_len;
		peek = NULL;
	}
	if (in->format == DT_INPUT_DTR) {
		struct dtr_reader_opts ro = { 0 };
		ro.salvage = in->opts.salvage;
		ro.time_from_ns = in->opts.time_from_ns;
		ro.time_to_ns = in->opts.time_to_ns;
		if (in->src.seekable) {
			/* at offset 0: the reader seeks on it, and names it as we do */
			ret = dtr_reader_open_fd(&in->dtr, in->fd, in->name, NULL, 0, &ro, err,
						 errlen);
		} else {
			ret = dtr_reader_open_fd(&in->dtr, in->fd, in->name, in->prefix,
						 in->prefix_len, &ro, err, errlen);
		}
		if (ret)
			goto fail;
	} else if (in->format == DT_INPUT_PERF_DATA) {
		ret = open_perf_data(in, in->src.seekable ? path : NULL, err, errlen);
		if (ret)
			goto fail;
	} else {
		ret = open_importer(in, in->format, err, errlen);
		if (!ret && in->opts.time_order && (in->format == DT_INPUT_DAMO_JSON ||
						    in->format == DT_INPUT_DAMO_JSON_COMPRESSED))
			ret = dt_time_order_new(&in->order, in->name, err, errlen);
		if (ret)
			goto fail;
	}
	*out = in;
	return 0;
fail:
	free(peek);
	dt_input_close(in);
	return ret < 0 ? ret : -EINVAL;
}

int dt_input_open_mem(struct dt_input **out, const void *data, size_t len, const char *name,
		      const struct dt_input_opts *opts, char *err, size_t errlen)
{
	struct dt_input *in = input_new(name ? name : "memory", opts);
	int ret;

	if (!in)
		return -ENOMEM;
	in->src.mem = data;
	in->src.mem_len = len;
	in->src.seekable = 1;
	in->format = detect(data, len);
	switch (in->format) {
	case DT_INPUT_UNKNOWN:
		unknown_format_error(in->name, len, err, errlen);
		ret = -EINVAL;
		break;
	case DT_INPUT_DTR: {
		/* The record reader reads descriptors: hand it the bytes in an
		 * unlinked temporary file. */
		struct dtr_reader_opts ro = { 0 };
		char path[4096];
		ro.salvage = in->opts.salvage;
		in->fd = make_tmp_fd(path, sizeof(path), 0, in->name, err, errlen);
		if (in->fd < 0) {
			ret = in->fd;
			break;
		}
		ret = dt_write_all(in->fd, data, len);
		if (ret) {
			if (errlen)
				snprintf(err, errlen, "%s: temporary file: %s", in->name, strerror(-ret));
			break;
		}
		lseek(in->fd, 0, SEEK_SET);
		ret = dtr_reader_open_fd(&in->dtr, in->fd, in->name, NULL, 0, &ro, err, errlen);
		break;
	}
	case DT_INPUT_PERF_DATA:
		if (errlen)
			snprintf(err, errlen, "%s: perf.data is only read from a file", in->name);
		ret = -EINVAL;
		break;
	default:
		ret = open_importer(in, in->format, err, errlen);
		break;
	}
	if (ret) {
		dt_input_close(in);
		return ret;
	}
	*out = in;
	return 0;
}

/* The same selection as the record reader's (format/reader.c). */
static int outside_time_range(const struct dt_input_opts *o, const struct dtr_item *item)
{
	uint64_t from = o->time_from_ns, to = o->time_to_ns;

	if (!from && !to)
		return 0;
	if (item->type == DTR_ITEM_SNAPSHOT) {
		const struct dtr_snapshot *s = &item->u.snapshot;
		return !((!to || s->start_ns < to) && (s->end_ns > from || s->start_ns >= from));
	}
	if (item->type == DTR_ITEM_STACK)
		return !(item->u.stack.time_ns >= from && (!to || item->u.stack.time_ns < to));
	return 0;
}

int dt_input_next(struct dt_input *in, struct dtr_item *item, char *err, size_t errlen)
{
	if (in->dtr)
		return dtr_reader_next(in->dtr, item, err, errlen);
	while (!in->drained) {
		int ret = in->imp.next(in->imp.state, item, err, errlen);
		if (ret < 0 || (ret == 0 && !in->order))
			return ret;
		if (ret == 0) {
			in->drained = 1;
			break;
		}
		if (outside_time_range(&in->opts, item))
			continue;
		if (!in->order)
			return 1;
		/* 1: not a snapshot, passed on now; 0: spooled */
		if ((ret = dt_time_order_take(in->order, item, err, errlen)))
			return ret;
	}
	return dt_time_order_next(in->order, item, err, errlen);
}

void dt_input_status(const struct dt_input *in, struct dtr_reader_status *st)
{
	memset(st, 0, sizeof(*st));
	if (in->dtr)
		dtr_reader_status(in->dtr, st);
}

void dt_input_close(struct dt_input *in)
{
	if (!in)
		return;
	if (in->dtr)
		dtr_reader_close(in->dtr);
	if (in->imp.close)
		in->imp.close(in->imp.state);
	dt_time_order_free(in->order);
	if (in->fd >= 0 && in->fd != STDIN_FILENO)
		close(in->fd);
	free(in->prefix);
	free(in->name);
	free(in);
}
