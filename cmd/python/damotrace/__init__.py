# SPDX-License-Identifier: GPL-2.0-only
"""damotrace: DAMON records in Python, as numpy arrays and pandas DataFrames.

    import damotrace
    rec = damotrace.open("damon.dtr")      # any input damotrace reads
    rec.meta, rec.targets, rec.intervals   # what the record says about itself
    df = rec.regions_df()                  # one row per region, built in C
    for chunk in rec.chunks(10_000_000):   # records larger than memory
        ...

The reading is done by the C extension `damotrace._damotrace` over
damotrace's own input library (every format damo-info reads, detected by
content); this file only shapes its columns into DataFrames.
docs/PYTHON.md is the reference.
"""
import collections
import os

import numpy as np
import pandas as pd

from ._damotrace import Error, Reader, version as __version__

__all__ = ["open", "Record", "Snapshot", "Stacks", "Error", "REGION_COLUMNS"]

# Columns of regions() and regions_df(), in order.
REGION_COLUMNS = ("time", "kdamond", "context", "target", "start", "end",
                  "nr_accesses", "age")

Snapshot = collections.namedtuple(
    "Snapshot",
    "start end kdamond context target flags access_unit age_unit regions")
Snapshot.__doc__ = """One DAMON snapshot: aggregation interval [start, end) in ns,
kdamond, context and target indexes, DTR_SNAPSHOT_* flags (1: incomplete,
2: start estimated), the units of nr_accesses and age ("samples",
"aggregations" or "absent") and `regions`, a numpy structured array
(start, end: uint64; nr_accesses, age: uint32)."""


class Stacks(collections.namedtuple("Stacks", "samples frame_ids frames threads")):
    """Callstack samples of a record.

    samples: DataFrame, one row per sample: time (ns), pid, tid, cpu,
        weight, nr_frames and first, the sample's first frame id in
        frame_ids (its frames are frame_ids[first:first + nr_frames],
        leaf first).
    frame_ids: numpy uint32 array of every sample's frame ids.
    frames: DataFrame of the interned frames: id (0, 1, ...), symbol,
        dso, srcline.
    threads: DataFrame of thread names: pid, tid, comm.
    """
    __slots__ = ()

    def frame_ids_of(self, i):
        """Frame ids of sample i (row position), leaf first."""
        first = int(self.samples["first"].iat[i])
        return self.frame_ids[first:first + int(self.samples["nr_frames"].iat[i])]

    def symbols_of(self, i):
        """Symbols of sample i (row position), leaf first."""
        symbols = self.frames["symbol"].to_numpy()
        return [symbols[f] for f in self.frame_ids_of(i)]


def open(path, *, salvage=False, time_from=0, time_to=0, perf=None):
    """Open a record: a damotrace .dtr, a damo json, json_compressed or
    legacy binary record, perf script or tracefs text of
    damon:damon_aggregated, or a perf.data (read through `perf`, or the
    binary named by `perf`).  "-" reads standard input (one pass only).

    salvage: on a damaged .dtr, read its valid part instead of failing.
    time_from, time_to: ns; keep snapshots overlapping [from, to) and stack
    samples inside it (0, 0: everything).

    Raises damotrace.Error (an OSError and a ValueError) with the C
    library's message when the input cannot be opened or recognised.
    """
    return Record(path, salvage=salvage, time_from=time_from, time_to=time_to, perf=perf)


def _frame(rows, spec):
    """A DataFrame from tuples, with the dtypes of spec [(name, dtype)]
    (None: Python objects)."""
    cols = list(zip(*rows)) if rows else [()] * len(spec)
    data = {}
    for (name, dtype), values in zip(spec, cols):
        data[name] = np.array(values, dtype=dtype if dtype else object)
    return pd.DataFrame(data, columns=[name for name, _ in spec])


# Footprint columns as damo-convert --what footprint names them
# (docs/EXPORTS.md), each group with the DTR_FOOTPRINT_* bit that says it
# was read (docs/FORMAT.md item 11).
_FOOTPRINT_GROUPS = (
    (0x1, ("size", "resident", "shared", "text", "data")),
    (0x2, ("swap",)),
    (0x4, ("utime_ns", "stime_ns", "minflt", "majflt", "threads")),
    (0x8, ("mem_total", "mem_free", "mem_available", "mem_buffers", "mem_cached")),
)


def _footprints_frame(rows):
    """One row per FOOTPRINT item; a group the recorder could not read is
    <NA> as a group (pandas' nullable UInt64), as its CSV fields are empty;
    pid is <NA> for a target without a process (paddr)."""
    head = [("time_ns", np.uint64), ("kdamond", np.uint32), ("context", np.uint32),
            ("target", np.uint32), ("pid", np.int64), ("has", np.uint32)]
    names = [n for _, group in _FOOTPRINT_GROUPS for n in group]
    raw = _frame(rows, head + [(n, np.uint64) for n in names])
    has = raw.pop("has").to_numpy()
    pid = raw["pid"].to_numpy()
    raw["pid"] = pd.arrays.IntegerArray(np.where(pid < 0, 0, pid).astype(np.uint32),
                                        pid < 0)
    for bit, group in _FOOTPRINT_GROUPS:
        missing = (has & bit) == 0
        for n in group:
            raw[n] = pd.arrays.IntegerArray(raw[n].to_numpy(), missing)
    return raw


def _regions_frame(columns):
    """A DataFrame over the C arrays, without copying them.  nr_accesses or
    age that some snapshots do not have become pandas' nullable UInt32
    (missing: <NA>), as an empty CSV field is."""
    data = {}
    for name in REGION_COLUMNS:
        values = columns[name]
        absent = columns.get(name + "_absent")
        data[name] = values if absent is None else pd.arrays.IntegerArray(values, absent)
    return pd.DataFrame(data, copy=False)


class Record:
    """A record opened by damotrace.open().

    Each method that reads regions makes one pass over the input; the first
    pass also gathers everything else the record holds (metadata, targets,
    intervals, clocks, maps, callstacks), which the properties return from
    then on without reading again (or after one pass of their own when they
    come first).
    """

    def __init__(self, path, *, salvage=False, time_from=0, time_to=0, perf=None):
        self.path = os.fsdecode(path) if not isinstance(path, str) else path
        self._opts = dict(salvage=salvage, time_from=time_from, time_to=time_to, perf=perf)
        self._fresh = Reader(self.path, **self._opts)
        self.format = self._fresh.format
        self._side = None

    def __repr__(self):
        return f"<damotrace.Record {self.path!r} ({self.format})>"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Release the input opened by damotrace.open() if no pass used it."""
        if self._fresh is not None:
            self._fresh.close()
            self._fresh = None

    # ------------------------------------------------------------ passes
    def _reader(self):
        """A Reader at the start of the input: the one open() made, then new ones."""
        if self._fresh is not None:
            reader, self._fresh = self._fresh, None
            return reader
        if self.path == "-":
            raise ValueError("standard input can be read only once: save it to a file "
                             "for more than one pass")
        return Reader(self.path, **self._opts)

    def _finish(self, reader):
        """Keep what a whole pass gathered besides regions."""
        if self._side is None:
            self._side = reader.side()
        reader.close()

    def _side_info(self):
        if self._side is None:
            reader = self._reader()
            reader.drain()
            self._finish(reader)
        return self._side

    def __iter__(self):
        """Snapshots in the order of the input (Snapshot tuples)."""
        reader = self._reader()
        while True:
            snap = reader.next_snapshot()
            if snap is None:
                break
            yield Snapshot(*snap)
        self._finish(reader)

    def regions(self):
        """Every region of the record: a dict of numpy arrays, one per
        column of REGION_COLUMNS: time (the snapshot's end, ns; uint64),
        kdamond, context, target (uint32), start, end (uint64), nr_accesses,
        age (uint32).  When some snapshots lack nr_accesses or age, the
        dict also has nr_accesses_absent / age_absent (bool) and their
        values are 0."""
        reader = self._reader()
        columns = reader.read_regions(0)
        self._finish(reader)
        return columns

    def regions_df(self):
        """regions() as a pandas DataFrame (no copy of the arrays)."""
        return _regions_frame(self.regions())

    def chunks(self, n_regions):
        """The regions as DataFrames of n_regions rows each (the last one
        shorter), read as they are consumed: memory stays bounded by one
        chunk, whatever the size of the record.  A snapshot may be split
        across two chunks."""
        n_regions = int(n_regions)
        if n_regions <= 0:
            raise ValueError("chunks: n_regions must be positive")
        reader = self._reader()
        while True:
            columns = reader.read_regions(n_regions)
            if len(columns["time"]):
                yield _regions_frame(columns)
            if reader.at_end or len(columns["time"]) < n_regions:
                break
        self._finish(reader)

    def wss(self, exclude_samples=20, acc_thres=1, sz_thres=1, work_time_us=1,
            collapse=False):
        """Working set size series as damo-wss computes it (damo's `report
        wss`, convert/analysis/wss.h): per target, the first
        exclude_samples snapshots dropped, snapshots merged into groups of
        at least work_time_us, the summed size of regions with nr_accesses
        >= acc_thres and size >= sz_thres.

        A DataFrame with columns kdamond, context, target, target_id, pid,
        start, end (ns, of the merged group) and wss (bytes), target after
        target; with collapse=True, damo's sum over targets (element i is
        the sum of every target's i-th value): start, end, wss.
        exclude_samples=0 gives one row per snapshot, the numbers of
        `damo-convert --what wss`."""
        reader = self._reader()
        targets, collapsed = reader.wss(exclude_samples, acc_thres, sz_thres, work_time_us)
        self._finish(reader)
        if collapse:
            return pd.DataFrame(collapsed, columns=["start", "end", "wss"], copy=False)
        parts = []
        for kdamond, context, target, target_id, pid, series in targets:
            n = len(series["wss"])
            parts.append(pd.DataFrame({
                "kdamond": np.full(n, kdamond, np.uint32),
                "context": np.full(n, context, np.uint32),
                "target": np.full(n, target, np.uint32),
                "target_id": np.full(n, target_id, np.uint64),
                "pid": np.full(n, pid, np.int64),
                "start": series["start"], "end": series["end"], "wss": series["wss"]}))
        if not parts:
            return _frame([], [("kdamond", np.uint32), ("context", np.uint32),
                               ("target", np.uint32), ("target_id", np.uint64),
                               ("pid", np.int64), ("start", np.uint64),
                               ("end", np.uint64), ("wss", np.uint64)])
        return pd.concat(parts, ignore_index=True)

    # ------------------------------------------------------------ side items
    @property
    def meta(self):
        """The record's metadata, a dict of str (a key given twice keeps
        its last value)."""
        return dict(self._side_info()["meta"])

    @property
    def targets(self):
        """Monitoring targets: DataFrame of kdamond, context, ops,
        min_nr_regions, max_nr_regions, target (index), id, pid (-1:
        unknown), cmdline; the latest CONTEXT item of each context."""
        rows = []
        for (kdamond, context), (ops, lo, hi, targets) in self._side_info()["contexts"].items():
            for index, tid, pid, cmdline in targets:
                rows.append((kdamond, context, ops, lo, hi, index, tid, pid, cmdline))
        return _frame(rows, [("kdamond", np.uint32), ("context", np.uint32), ("ops", None),
                             ("min_nr_regions", np.uint64), ("max_nr_regions", np.uint64),
                             ("target", np.uint32), ("id", np.uint64), ("pid", np.int64),
                             ("cmdline", None)])

    @property
    def intervals(self):
        """Monitoring intervals: DataFrame of kdamond, context, time (ns,
        in force from), sample_us, aggr_us, update_us (0: unknown)."""
        return _frame(self._side_info()["intervals"],
                      [("kdamond", np.uint32), ("context", np.uint32), ("time", np.uint64),
                       ("sample_us", np.uint64), ("aggr_us", np.uint64),
                       ("update_us", np.uint64)])

    @property
    def clocks(self):
        """Clock readings: DataFrame of label, clock (the record's clock),
        monotonic, perf, realtime (ns; None when not read)."""
        return _frame(self._side_info()["clocks"],
                      [("label", None), ("clock", None), ("monotonic", None),
                       ("perf", None), ("realtime", None)])

    @property
    def status(self):
        """How the input ended: format, file_bytes, valid_bytes,
        clean_close, damaged, damage_offset (meaningful for .dtr), and the
        snapshot and region counts read."""
        side = self._side_info()
        status = dict(side["status"], format=side["format"],
                      nr_snapshots=side["nr_snapshots"], nr_regions=side["nr_regions"])
        if side["end"] is not None:
            status["end"] = dict(zip(("nr_snapshots", "nr_regions", "nr_stacks"), side["end"]))
        return status

    def maps(self):
        """Process memory maps: DataFrame with one row per map entry: time
        (ns), pid, start, end, offset, perms ("rw-p"), path ("" for
        anonymous memory)."""
        return _frame(self._side_info()["maps"],
                      [("time", np.uint64), ("pid", np.int32), ("start", np.uint64),
                       ("end", np.uint64), ("offset", np.uint64), ("perms", None),
                       ("path", None)])

    @property
    def footprints(self):
        """The memory footprints damo-record read after every snapshot
        (record format 1.1): a DataFrame with damo-convert --what
        footprint's columns: time_ns, kdamond, context, target, pid, size,
        resident, shared, text, data, swap (bytes), utime_ns, stime_ns,
        minflt, majflt, threads, mem_total .. mem_cached (the system's,
        bytes).  A group of values that was not read is <NA>; records
        without footprints (damo's, older ones) give no rows."""
        return _footprints_frame(self._side_info()["footprints"])

    def stacks(self):
        """Callstack samples with their frames: a Stacks tuple."""
        side = self._side_info()
        cols = side["stacks"]
        samples = pd.DataFrame({k: cols[k] for k in ("time", "pid", "tid", "cpu", "weight",
                                                      "nr_frames", "first")}, copy=False)
        frames = _frame(side["frames"], [("id", np.uint32), ("symbol", None), ("dso", None),
                                         ("srcline", None)])
        threads = _frame(side["threads"], [("pid", np.int32), ("tid", np.int32),
                                           ("comm", None)])
        return Stacks(samples, side["frame_ids"]["frame"], frames, threads)
