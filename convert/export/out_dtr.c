// SPDX-License-Identifier: GPL-2.0-only
/*
 * damotrace records: every item of the input is written as it comes,
 * except the input's own end marker (the writer adds its own at close).
 */
#include "export_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct dtr_out {
	struct dtr_writer *w;
};

static int dtr_put(void *state, const struct dtr_item *item, char *err, size_t errlen)
{
	struct dtr_out *d = state;

	if (item->type == DTR_ITEM_END)
		return 0;
	return dtr_writer_put(d->w, item, err, errlen);
}

static int dtr_close(void *state, char *err, size_t errlen)
{
	struct dtr_out *d = state;
	int ret = dtr_writer_close(d->w, err, errlen);

	free(d);
	return ret;
}

static void dtr_abort(void *state)
{
	struct dtr_out *d = state;

	dtr_writer_abort(d->w);
	free(d);
}

static const struct dt_exporter_ops dtr_ops = { dtr_put, dtr_close, dtr_abort };

int dt_out_dtr_open(void **state, const struct dt_exporter_ops **ops, int zstd_level, int fd,
		    const char *name, char *err, size_t errlen)
{
	struct dtr_out *d = calloc(1, sizeof(*d));
	struct dtr_writer_opts wo = { 0 };
	struct stat st;
	int ret;

	if (!d)
		return -ENOMEM;
	wo.zstd_level = zstd_level;
	/* fsync only means something for a file. */
	wo.no_fsync = fstat(fd, &st) || !S_ISREG(st.st_mode);
	ret = dtr_writer_open_fd(&d->w, fd, name, &wo, err, errlen);
	if (ret) {
		free(d);
		return ret;
	}
	*state = d;
	*ops = &dtr_ops;
	return 0;
}
