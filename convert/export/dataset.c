// SPDX-License-Identifier: GPL-2.0-only
/*
 * Records into a dataset of hive-style partitions (dataset.h): a first
 * reading for the record's identity hash and its host, a second one that
 * writes each table into its partition through output.h.
 */
#include "dataset.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errmsg.h"
#include "hashmap.h"
#include "output.h"

#define NR_TABLES 4

static const char *const table_names[NR_TABLES] = {
	[DT_EXPORT_REGIONS] = "regions",
	[DT_EXPORT_WSS] = "wss",
	[DT_EXPORT_FOOTPRINT] = "footprint",
	[DT_EXPORT_TARGETS] = "targets",
};

const char *dt_dataset_table_name(enum dt_export_what what)
{
	return (unsigned)what < NR_TABLES ? table_names[what] : "?";
}

/* ------------------------------------------------------------ identity */

struct identity {
	uint64_t h;
	int seen_snapshot;
};

static void id_u64(struct identity *id, uint64_t v)
{
	id->h = dt_hash_mix64(id->h ^ dt_hash_mix64(v + 0x9e3779b97f4a7c15ull));
}

static void id_str(struct identity *id, const char *s)
{
	id->h = dt_hash_str(id->h, s ? s : "");
}

static void id_context(struct identity *id, const struct dtr_context *c)
{
	id_u64(id, c->kdamond);
	id_u64(id, c->context);
	id_u64(id, c->ops);
	id_u64(id, c->nr_targets);
	for (size_t i = 0; i < c->nr_targets; i++) {
		id_u64(id, c->targets[i].index);
		id_u64(id, c->targets[i].id);
		id_u64(id, (uint64_t)c->targets[i].pid);
		id_str(id, c->targets[i].cmdline);
	}
}

/* A snapshot's header; the first snapshot's regions too. */
static void id_snapshot(struct identity *id, const struct dtr_snapshot *s)
{
	const uint64_t head[] = { s->start_ns, s->end_ns, s->kdamond, s->context, s->target,
				  s->flags, s->access_unit, s->age_unit, s->nr_regions };

	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		id_u64(id, head[i]);
	if (id->seen_snapshot++)
		return;
	for (uint64_t i = 0; i < s->nr_regions; i++) {
		id_u64(id, s->regions[i].start);
		id_u64(id, s->regions[i].end);
		id_u64(id, (uint64_t)s->regions[i].nr_accesses << 32 | s->regions[i].age);
	}
}

/* What of an item makes the record's identity (dataset.h). */
static void id_note(struct identity *id, const struct dtr_item *item)
{
	const struct dtr_intervals *iv = &item->u.intervals;
	const struct dtr_clocks *ck = &item->u.clocks;

	id_u64(id, item->type);
	switch (item->type) {
	case DTR_ITEM_META:
		for (size_t i = 0; i < item->u.meta.nr; i++) {
			id_str(id, item->u.meta.kvs[i].key);
			id_str(id, item->u.meta.kvs[i].value);
		}
		break;
	case DTR_ITEM_CONTEXT:
		id_context(id, &item->u.context);
		break;
	case DTR_ITEM_INTERVALS:
		id_u64(id, (uint64_t)iv->kdamond << 32 | iv->context);
		id_u64(id, iv->time_ns);
		id_u64(id, iv->sample_us);
		id_u64(id, iv->aggr_us);
		id_u64(id, iv->update_us);
		break;
	case DTR_ITEM_CLOCKS:
		id_u64(id, ck->clock);
		id_str(id, ck->label);
		id_u64(id, ck->has);
		id_u64(id, ck->monotonic_ns);
		id_u64(id, ck->perf_ns);
		id_u64(id, ck->realtime_ns);
		break;
	case DTR_ITEM_SNAPSHOT:
		id_snapshot(id, &item->u.snapshot);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------ host */

/* The record's hostname, kept when META names one (a later one wins). */
static void note_hostname(char *host, size_t len, const struct dtr_item *item)
{
	if (item->type != DTR_ITEM_META)
		return;
	for (size_t i = 0; i < item->u.meta.nr; i++)
		if (!strcmp(item->u.meta.kvs[i].key, DTR_META_HOSTNAME) &&
		    *item->u.meta.kvs[i].value)
			snprintf(host, len, "%s", item->u.meta.kvs[i].value);
}

/* `name` as a partition value into out[len]: bytes outside
 * [A-Za-z0-9._-] as %XX.  0, or -ENAMETOOLONG. */
static int escape_host(char *out, size_t len, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-';
		if (n + (plain ? 1 : 3) >= len)
			return -ENAMETOOLONG;
		if (plain) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	out[n] = '\0';
	return 0;
}

/* ------------------------------------------------------------ passes */

/* Pass 1: every item of `in` for the identity and the hostname. */
static int identify(struct dt_input *in, const char *path, const char *hostname,
		    struct dt_dataset_record *rec, char *err, size_t errlen)
{
	struct identity id = { .h = DT_HASH_SEED };
	char meta_host[1024] = "";
	struct dtr_item item;
	int ret;

	while ((ret = dt_input_next(in, &item, err, errlen)) > 0) {
		id_note(&id, &item);
		note_hostname(meta_host, sizeof(meta_host), &item);
		if (item.type == DTR_ITEM_SNAPSHOT) {
			rec->nr_snapshots++;
			rec->nr_regions += item.u.snapshot.nr_regions;
		}
	}
	if (ret)
		return ret;
	snprintf(rec->id, sizeof(rec->id), "%016llx", (unsigned long long)id.h);
	const char *host = hostname ? hostname : *meta_host ? meta_host : "unknown";
	/* "host=" and the value make one file name of at most 255 bytes */
	ret = escape_host(rec->host, 256 - 5, host);
	if (ret)
		return dt_fail(err, errlen, ret, "%s: host name too long for a partition (%zu bytes)",
			       path, strlen(host));
	return 0;
}

struct part {
	enum dt_export_what what;
	struct dt_output out;
	struct dt_export *ex; /* NULL once closed */
	int open;             /* out is open */
};

/* `path` and its missing parents as folders.  0 or a negative errno. */
static int make_dirs(char *path)
{
	for (char *s = strchr(path + 1, '/');; s = strchr(s + 1, '/')) {
		if (s)
			*s = '\0';
		int ret = mkdir(path, 0777) && errno != EEXIST ? -errno : 0;
		if (s)
			*s = '/';
		if (ret)
			return ret;
		if (!s)
			return 0;
	}
}

static void parts_abort(struct part *p, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		if (p[i].ex)
			dt_export_abort(p[i].ex);
		if (p[i].open)
			dt_output_abort(&p[i].out);
	}
}

/* The partition file of one table: its folders, the output (output.h)
 * and an exporter on it. */
static int part_open(struct part *p, const char *dir, const struct dt_dataset_opts *o,
		     const struct dt_dataset_record *rec, char *err, size_t errlen)
{
	struct dt_export_opts eo = { .what = p->what };
	char path[4096];
	int ret;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s/host=%s/record=%s", dir,
			     table_names[p->what], rec->host, rec->id) >= sizeof(path) - 16)
		return dt_fail(err, errlen, -ENAMETOOLONG, "%s: partition path too long", dir);
	ret = make_dirs(path);
	if (ret)
		return dt_fail(err, errlen, ret, "%s: cannot create: %s", path, strerror(-ret));
	strcat(path, "/data.");
	strcat(path, dt_export_format_name(o->format));
	ret = dt_output_open(&p->out, path, NULL, err, errlen);
	if (ret)
		return ret;
	p->open = 1;
	return dt_export_open(&p->ex, o->format, &eo, p->out.fd, p->out.name, err, errlen);
}

/* Pass 2: every item into every table, the identity computed again (the
 * input must not have changed since pass 1); each table committed. */
static int write_parts(struct part *p, size_t nr, struct dt_input *in, const char *path,
		       const struct dt_dataset_record *rec, char *err, size_t errlen)
{
	struct identity id = { .h = DT_HASH_SEED };
	struct dtr_item item;
	char again[17];
	int ret;

	while ((ret = dt_input_next(in, &item, err, errlen)) > 0) {
		id_note(&id, &item);
		for (size_t i = 0; i < nr; i++) {
			int e = dt_export_put(p[i].ex, &item, err, errlen);
			if (e)
				return e;
		}
	}
	if (ret)
		return ret;
	snprintf(again, sizeof(again), "%016llx", (unsigned long long)id.h);
	if (strcmp(again, rec->id))
		return dt_fail(err, errlen, -EAGAIN, "%s: changed while it was read", path);
	for (size_t i = 0; i < nr && !ret; i++) {
		ret = dt_export_close(p[i].ex, err, errlen);
		p[i].ex = NULL;
		if (!ret) {
			ret = dt_output_commit(&p[i].out, err, errlen);
			p[i].open = 0;
		}
	}
	return ret;
}

/* A second reading of `path`, into every table asked for. */
static int write_tables(const char *dir, const char *path, const struct dt_input_opts *in_opts,
			const struct dt_dataset_opts *o, const struct dt_dataset_record *rec,
			char *err, size_t errlen)
{
	unsigned tables = o->tables ? o->tables : (1u << NR_TABLES) - 1;
	struct part p[NR_TABLES];
	struct dt_input *in;
	size_t nr = 0;
	int ret = dt_input_open(&in, path, in_opts, err, errlen);

	if (ret)
		return ret;
	for (int w = 0; w < NR_TABLES && !ret; w++) {
		if (!(tables & DT_DATASET_TABLE(w)))
			continue;
		p[nr] = (struct part){ .what = (enum dt_export_what)w };
		ret = part_open(&p[nr++], dir, o, rec, err, errlen);
	}
	if (!ret)
		ret = write_parts(p, nr, in, path, rec, err, errlen);
	if (ret)
		parts_abort(p, nr);
	dt_input_close(in);
	return ret;
}

int dt_dataset_add(const char *dir, const char *path, const struct dt_input_opts *in_opts,
		   const struct dt_dataset_opts *opts, struct dt_dataset_record *rec, char *err,
		   size_t errlen)
{
	struct dt_input *in;
	int ret;

	*rec = (struct dt_dataset_record){ .nr_snapshots = 0 };
	if (opts->format != DT_EXPORT_CSV && opts->format != DT_EXPORT_NDJSON)
		return dt_fail(err, errlen, -EINVAL, "%s: a dataset holds csv or ndjson tables", dir);
	if (!strcmp(path, "-"))
		return dt_fail(err, errlen, -EINVAL, "-: standard input cannot go to a dataset (a "
				     "record is read twice, its identity first): name a file");
	ret = dt_input_open(&in, path, in_opts, err, errlen);
	if (ret)
		return ret;
	ret = identify(in, path, opts->hostname, rec, err, errlen);
	dt_input_close(in);
	if (ret)
		return ret;
	return write_tables(dir, path, in_opts, opts, rec, err, errlen);
}
