#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Regenerate the damo 3.3 reference outputs of tests/data/damo33/.

Usage: gen.py DAMO SHARED
  DAMO    damo's entry point at v3.3.0 (its src/damo.py), run with python3
  SHARED  the shared directory holding interop/damo/ (../shared)

Every case below runs damo in a scratch directory holding copies of the
inputs (damo detects formats with file(1), which does not follow symbolic
links) and keeps its standard output in out/NAME, its standard error in
out/NAME.stderr when not empty, and its exit status in out/STATUS.
Outputs over 32 KiB are kept zstd-compressed as out/NAME.zst.  The
command lines are listed in README.md, written by this script below the
line '<!-- cases -->'.
"""

import os
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BIG = 32 * 1024

SHARED_INPUTS = {
    'damon.data': 'interop/damo/damon.data',
    'damon.data.binary_v2': 'interop/damo/damon.data.binary_v2',
    'perf.data.script': 'interop/damo/perf.data.script',
    'damon-vm.data': 'interop/damo/vm/damon-vm.data',
}
LOCAL_INPUTS = ['synth1.data', 'synth2t.data', 'synth3.data']

FMT_REGION_ALL = ('<index> <start address> <end address> <size> '
                  '<access rate> <access hz> <age> <temperature> '
                  '<filters passed bytes> <probe hits>')
FMT_SNAPSHOT_ALL = ('<start time> <end time> <abs start time> '
                    '<abs end time> <duration> <number of regions> '
                    '<total bytes> <positive access samples ratio> '
                    '<estimated memory bandwidth> <intervals tuning status> '
                    '<snapshot intervals> <filters passed bytes> '
                    '<filters passed type>')
FMT_RECORD_ALL = ('<kdamond index> <context index> <scheme index> '
                  '<target id> <abs start time> <duration> <intervals> '
                  '<data source>')


def cases():
    c = []

    def add(name, *argv):
        c.append((name, list(argv)))

    A = ('report', 'access')
    # report access: default on every input (damon.data, perf script and
    # binary_v2 show the refusals: no intervals, or not readable)
    for n, f in [('vm', 'damon-vm.data'), ('synth1', 'synth1.data'),
                 ('synth2t', 'synth2t.data'), ('synth3', 'synth3.data'),
                 ('damon', 'damon.data'), ('perf', 'perf.data.script'),
                 ('binv2', 'damon.data.binary_v2')]:
        add('access-%s-default' % n, *A, '-i', f)
    add('access-vm-raw_number', *A, '-i', 'damon-vm.data', '--raw_number')
    add('access-vm-input_file', *A, '--input_file', 'damon-vm.data')
    # styles
    for s in ['simple-boxes', 'temperature-sz-hist', 'recency-sz-hist',
              'cold-memory-tail', 'recency-percentiles',
              'idle-time-percentiles', 'temperature-percentiles', 'cold',
              'hot', 'detailed']:
        add('access-vm-style-%s' % s, *A, '-i', 'damon-vm.data',
            '--style', s)
    for s in ['simple-boxes', 'temperature-sz-hist', 'recency-sz-hist',
              'recency-percentiles', 'temperature-percentiles', 'hot']:
        add('access-synth2t-style-%s' % s, *A, '-i', 'synth2t.data',
            '--style', s)
    add('access-vm-style-recency-percentiles-raw_number', *A, '-i',
        'damon-vm.data', '--style', 'recency-percentiles', '--raw_number')
    add('access-vm-style-temperature-sz-hist-raw_number', *A, '-i',
        'damon-vm.data', '--style', 'temperature-sz-hist', '--raw_number')
    add('access-vm-percentiles_range-3', *A, '-i', 'damon-vm.data',
        '--style', 'recency-percentiles', '--percentiles_range', '0', '101',
        '10')
    add('access-vm-percentiles_range-list', *A, '-i', 'damon-vm.data',
        '--style', 'temperature-percentiles', '--percentiles_range', '5',
        '50', '90', '95', '99')
    add('access-vm-hist_logscale', *A, '-i', 'damon-vm.data', '--style',
        'recency-sz-hist', '--hist_logscale')
    add('access-vm-hist_cumulate', *A, '-i', 'damon-vm.data', '--style',
        'recency-sz-hist', '--hist_cumulate')
    add('access-vm-hist_ranges', *A, '-i', 'damon-vm.data', '--style',
        'recency-sz-hist', '--hist_ranges', '0', '500ms', '500ms', '2s',
        '2s', '10s')
    # format templates
    add('access-vm-format-region', *A, '-i', 'damon-vm.data', '--format',
        'set', 'region', FMT_REGION_ALL)
    add('access-vm-format-region-raw_number', *A, '-i', 'damon-vm.data',
        '--raw_number', '--format', 'set', 'region', FMT_REGION_ALL)
    add('access-vm-format-snapshot', *A, '-i', 'damon-vm.data', '--format',
        'set', 'snapshot_head', FMT_SNAPSHOT_ALL, '--format', 'set',
        'region', '', '--format', 'set', 'snapshot_tail', '')
    add('access-vm-format-snapshot-raw_number', *A, '-i', 'damon-vm.data',
        '--raw_number', '--format', 'set', 'snapshot_head',
        FMT_SNAPSHOT_ALL, '--format', 'set', 'region', '', '--format',
        'set', 'snapshot_tail', '')
    add('access-synth2t-format-record', *A, '-i', 'synth2t.data',
        '--format', 'set', 'record_head', FMT_RECORD_ALL, '--format', 'set',
        'snapshot_head', '', '--format', 'set', 'region', '', '--format',
        'set', 'snapshot_tail', '', '--format', 'set', 'record_tail',
        'tail <target id>')
    add('access-vm-format-append', *A, '-i', 'damon-vm.data', '--format',
        'append', 'region', ' temp <temperature>', '--format', 'append',
        'snapshot_tail', '\\nregions: <number of regions>')
    add('access-vm-format-strings', *A, '-i', 'damon-vm.data', '--format',
        'set', 'record_tail', '<format strings>', '--format', 'set',
        'snapshot_head', '', '--format', 'set', 'region', '', '--format',
        'set', 'snapshot_tail', '')
    add('access-vm-format_region-legacy', *A, '-i', 'damon-vm.data',
        '--format_region', '<start address> <end address> <access rate>')
    add('access-vm-min_chars_for', *A, '-i', 'damon-vm.data',
        '--min_chars_for', '<size>', '20', '--format', 'set', 'region',
        '[<size>] [<age>]')
    add('access-vm-sort-size-dsc', *A, '-i', 'damon-vm.data',
        '--sort_regions_by', 'size', '--sort_regions_dsc', 'size')
    add('access-vm-sort-temperature-weights', *A, '-i', 'damon-vm.data',
        '--sort_regions_by', 'temperature', '--temperature_weights', '1',
        '100', '100', '--format', 'set', 'region',
        '<index> <start address> <size> <access rate> <age> <temperature>')
    add('access-vm-region_box', *A, '-i', 'damon-vm.data', '--region_box')
    # region boxes, histograms and percentiles on a record of varied regions
    S3 = (*A, '-i', 'synth3.data')
    add('access-synth3-style-cold', *S3, '--style', 'cold', '--snapshot_idx',
        '100', '101')
    add('access-synth3-style-cold-dsc', *S3, '--style', 'cold',
        '--sort_regions_dsc', 'temperature', '--snapshot_idx', '100', '100')
    add('access-synth3-style-hot', *S3, '--style', 'hot', '--snapshot_idx',
        '30', '30')
    add('access-synth3-style-simple-boxes', *S3, '--style', 'simple-boxes',
        '--snapshot_idx', '60', '61')
    add('access-synth3-region_box-options', *S3, '--region_box',
        '--region_box_values', 'size', 'age', 'access_rate',
        '--region_box_scales', 'linear', 'log', 'linear',
        '--region_box_min_max_length', '2', '20',
        '--region_box_min_max_height', '1', '3', '--region_box_colorset',
        'flame', '--region_box_align', 'right', '--snapshot_idx', '100',
        '101')
    add('access-synth3-region_box-raw_number', *S3, '--region_box',
        '--raw_number', '--snapshot_idx', '5', '5')
    add('access-synth3-style-recency-percentiles', *S3, '--style',
        'recency-percentiles')
    add('access-synth3-style-temperature-sz-hist', *S3, '--style',
        'temperature-sz-hist')
    add('access-synth3-percentiles_range-1', *S3, '--style',
        'recency-percentiles', '--percentiles_range', '5', '--snapshot_idx',
        '50', '50')
    add('access-synth3-percentiles_range-2', *S3, '--style',
        'temperature-percentiles', '--percentiles_range', '10', '60',
        '--snapshot_idx', '50', '50')
    add('access-synth3-hist_ranges-temperature', *S3, '--style',
        'temperature-sz-hist', '--hist_ranges', '-100000000', '0', '0',
        '100000000', '--snapshot_idx', '50', '51')
    add('access-synth3-hist_logscale-cumulate', *S3, '--style',
        'temperature-sz-hist', '--hist_logscale', '--hist_cumulate',
        '--snapshot_idx', '60', '61')
    add('access-synth3-hist_logscale-recency', *S3, '--style',
        'recency-sz-hist', '--hist_logscale', '--snapshot_idx', '60', '61')
    add('access-vm-heatmap-static-40', *A, '-i', 'damon-vm.data',
        '--snapshot_heatmap_static', '--snapshot_heatmap_width', '40',
        '--snapshot_heatmap_colorset', 'flame')
    # filters
    add('access-vm-sz_region', *A, '-i', 'damon-vm.data', '--sz_region',
        '1M', '100M')
    add('access-vm-access_rate', *A, '-i', 'damon-vm.data', '--access_rate',
        '10', 'max')
    add('access-vm-age', *A, '-i', 'damon-vm.data', '--age', '1s', 'max')
    add('access-vm-age-plain', *A, '-i', 'damon-vm.data', '--age', '0',
        '0.5')
    add('access-vm-address', *A, '-i', 'damon-vm.data', '--address', '4M',
        '100MiB')
    add('access-vm-address-two', *A, '-i', 'damon-vm.data', '--address',
        '0', '32M', '--address', '127T', '128T', '--snapshot_idx', '0',
        '2')
    add('access-vm-address-hex', *A, '-i', 'damon-vm.data', '--address',
        '0x0', '0x2000000')
    add('access-vm-sz_snapshot', *A, '-i', 'damon-vm.data', '--sz_snapshot',
        '0', '900M', '--total_sz_only')
    add('access-vm-snapshot_time', *A, '-i', 'damon-vm.data',
        '--snapshot_time', '5s', '6s')
    add('access-vm-snapshot_time-ns', *A, '-i', 'damon-vm.data',
        '--snapshot_time', '5000000000', '5500000000')
    add('access-vm-snapshot_idx', *A, '-i', 'damon-vm.data',
        '--snapshot_idx', '0', '1', '--snapshot_idx', '50', '51')
    add('access-vm-temperature', *A, '-i', 'damon-vm.data',
        '--temperature', '0', '100000000')
    add('access-synth3-filters', *A, '-i', 'synth3.data', '--access_rate',
        '1', 'max', '--sz_region', '4K', 'max', '--snapshot_idx', '100',
        '101')
    # whole-snapshot forms
    add('access-vm-total_sz_only', *A, '-i', 'damon-vm.data',
        '--total_sz_only')
    add('access-vm-total_sz_only-raw_number', *A, '-i', 'damon-vm.data',
        '--total_sz_only', '--raw_number')
    add('access-synth2t-total_sz_only', *A, '-i', 'synth2t.data',
        '--total_sz_only')
    for n, f in [('vm', 'damon-vm.data'), ('synth2t', 'synth2t.data'),
                 ('damon', 'damon.data'), ('perf', 'perf.data.script')]:
        add('access-%s-json' % n, *A, '-i', f, '--json')
    add('access-vm-json-raw_number', *A, '-i', 'damon-vm.data', '--json',
        '--raw_number')
    add('access-synth1-json-snapshot_idx', *A, '-i', 'synth1.data',
        '--json', '--snapshot_idx', '10', '11')
    add('access-synth2t-raw_form', *A, '-i', 'synth2t.data', '--raw_form')
    add('access-vm-raw_form-raw_number', *A, '-i', 'damon-vm.data',
        '--raw_form', '--raw_number')
    add('access-vm-synth1-two-inputs', *A, '-i', 'damon-vm.data', '-i',
        'synth1.data', '--total_sz_only')

    H = ('report', 'heatmap')
    for n, f in [('vm', 'damon-vm.data'), ('synth1', 'synth1.data'),
                 ('synth2t', 'synth2t.data'), ('synth3', 'synth3.data'),
                 ('perf', 'perf.data.script'), ('damon', 'damon.data')]:
        add('heatmap-%s-guide' % n, *H, '-i', f, '--guide')
        add('heatmap-%s-guide_human' % n, *H, '-i', f, '--guide_human')
    for n, f in [('vm', 'damon-vm.data'), ('synth1', 'synth1.data'),
                 ('synth2t', 'synth2t.data'), ('perf', 'perf.data.script'),
                 ('damon', 'damon.data')]:
        add('heatmap-%s-stdout' % n, *H, '-i', f)
    add('heatmap-vm-stdout-flame-resol', *H, '-i', 'damon-vm.data',
        '--stdout_colorset', 'flame', '--resol', '10', '20')
    add('heatmap-vm-stdout-skip_colorset', *H, '-i', 'damon-vm.data',
        '--stdout_colorset', 'emotion', '--stdout_skip_colorset_example')
    add('heatmap-vm-stdout-draw_range-all', *H, '-i', 'damon-vm.data',
        '--draw_range', 'all', '--resol', '8', '16')
    # raw output
    add('heatmap-synth1-raw', *H, '-i', 'synth1.data', '--output', 'raw')
    add('heatmap-synth2t-raw', *H, '-i', 'synth2t.data', '--output', 'raw',
        '--resol', '40', '30')
    add('heatmap-vm-raw-time_range-units', *H, '-i', 'damon-vm.data',
        '--output', 'raw', '--resol', '30', '20', '--time_range', '5s',
        '7s')
    add('heatmap-vm-raw-time_range-float', *H, '-i', 'damon-vm.data',
        '--output', 'raw', '--resol', '30', '20', '--time_range', '5.5s',
        '7250ms')
    add('heatmap-vm-raw-time_range-ns', *H, '-i', 'damon-vm.data',
        '--output', 'raw', '--resol', '30', '20', '--time_range',
        '5000000000', '7000000000')
    add('heatmap-vm-raw-time_range-guided', *H, '-i', 'damon-vm.data',
        '--output', 'raw', '--resol', '30', '20', '--time_range', '1s',
        '3s', 'guided')
    add('heatmap-vm-raw-time_range-guided_end', *H, '-i', 'damon-vm.data',
        '--output', 'raw', '--resol', '30', '20', '--time_range', '0',
        '1s', 'guided_end')
    add('heatmap-vm-raw-time_range-base', *H, '-i', 'damon-vm.data',
        '--output', 'raw', '--resol', '30', '20', '--time_range', '1s',
        '2s', '4s')
    add('heatmap-vm-raw-time_range-compound', *H, '-i', 'damon-vm.data',
        '--output', 'raw', '--resol', '30', '20', '--time_range',
        '4 s 500 ms', '6s')
    add('heatmap-vm-raw-address_range-suffix', *H, '-i', 'damon-vm.data',
        '--output', 'raw', '--resol', '30', '20', '--address_range', '4M',
        '100MiB')
    add('heatmap-vm-raw-address_range-guided', *H, '-i', 'damon-vm.data',
        '--output', 'raw', '--resol', '30', '20', '--address_range', '0',
        '64M', 'guided')
    add('heatmap-vm-raw-address_range-float', *H, '-i', 'damon-vm.data',
        '--output', 'raw', '--resol', '30', '20', '--address_range', '1.5M',
        '0.25G')
    add('heatmap-vm-raw-address_range-two', *H, '-i', 'damon-vm.data',
        '--output', 'raw', '--resol', '10', '10', '--address_range', '4M',
        '36M', '--address_range', '127.26T', '127.27T')
    add('heatmap-vm-raw-abs', *H, '-i', 'damon-vm.data', '--output', 'raw',
        '--resol', '20', '10', '--abs_time', '--abs_addr')
    add('heatmap-vm-raw-draw_range-all', *H, '-i', 'damon-vm.data',
        '--output', 'raw', '--resol', '10', '10', '--draw_range', 'all')
    add('heatmap-vm-raw-sort_temperature', *H, '-i', 'damon-vm.data',
        '--output', 'raw', '--resol', '30', '20', '--sort_temperature')
    add('heatmap-vm-raw-sort_temperature-weights', *H, '-i',
        'damon-vm.data', '--output', 'raw', '--resol', '30', '20',
        '--sort_temperature', '--temperature_weights', '1', '0')
    add('heatmap-vm-raw-df_passed', *H, '-i', 'damon-vm.data', '--output',
        'raw', '--resol', '30', '20', '--df_passed')
    add('heatmap-perf-raw-df_passed', *H, '-i', 'perf.data.script',
        '--output', 'raw', '--resol', '3', '3', '--df_passed')
    add('heatmap-damon-raw-df_passed', *H, '-i', 'damon.data', '--output',
        'raw', '--resol', '3', '3', '--df_passed')
    add('heatmap-vm-time_range-one-value', *H, '-i', 'damon-vm.data',
        '--time_range', '5s')
    add('heatmap-vm-raw-time-address-guided', *H, '-i', 'damon-vm.data',
        '--output', 'raw', '--resol', '3', '3', '--time_range', '1s', '2s',
        'guided', '--address_range', '0', '1G', 'guided')
    add('heatmap-synth2t-raw-tid', *H, '-i', 'synth2t.data', '--output',
        'raw', '--resol', '20', '10', '--kdamond_idx', '0', '--context_idx',
        '0', '--tid', '4019')
    add('heatmap-synth2t-stdout-tid', *H, '-i', 'synth2t.data', '--tid',
        '4019', '--resol', '10', '20')
    add('heatmap-synth2t-kdamond_idx-1', *H, '-i', 'synth2t.data',
        '--kdamond_idx', '1')
    add('heatmap-perf-raw', *H, '-i', 'perf.data.script', '--output', 'raw',
        '--resol', '30', '20')
    add('heatmap-synth1-synth3-inputs', *H, '-i', 'synth1.data',
        'synth3.data', '--guide')
    add('heatmap-synth1-synth3-raw', *H, '-i', 'synth1.data',
        'synth3.data', '--output', 'raw', '--resol', '30', '20')
    add('heatmap-synth1-repeated-i', *H, '-i', 'synth1.data', '-i',
        'synth3.data', '--guide')
    add('heatmap-vm-damon-mixed', *H, '-i', 'damon-vm.data', 'damon.data',
        '--guide')

    W = ('report', 'wss')
    for n, f in [('vm', 'damon-vm.data'), ('synth2t', 'synth2t.data'),
                 ('damon', 'damon.data'), ('perf', 'perf.data.script')]:
        add('wss-%s-default' % n, *W, '-i', f)
    add('wss-vm-sortby-time', *W, '-i', 'damon-vm.data', '--sortby', 'time')
    add('wss-vm-range', *W, '-i', 'damon-vm.data', '--range', '0', '101',
        '10', '--raw_number')
    add('wss-vm-exclude_samples-0', *W, '-i', 'damon-vm.data',
        '--exclude_samples', '0', '--raw_number')
    add('wss-vm-work_time', *W, '-i', 'damon-vm.data', '--work_time',
        '500000', '--raw_number')
    add('wss-vm-acc_thres-sz_thres', *W, '-i', 'damon-vm.data',
        '--acc_thres', '5', '--sz_thres', '4096', '--raw_number')
    add('wss-vm-all_wss', *W, '-i', 'damon-vm.data', '--all_wss')
    add('wss-vm-nr_cols_bar', *W, '-i', 'damon-vm.data', '--nr_cols_bar',
        '20')
    add('wss-synth2t-per_target', *W, '-i', 'synth2t.data', '--per_target',
        '--raw_number')
    add('wss-synth2t-collapse_targets', *W, '-i', 'synth2t.data',
        '--collapse_targets', '--raw_number')
    add('wss-synth2t-sortby-time-per_target', *W, '-i', 'synth2t.data',
        '--sortby', 'time', '--per_target', '--exclude_samples', '0',
        '--all_wss', '--raw_number')
    add('wss-synth3-work_time-sortby-time', *W, '-i', 'synth3.data',
        '--work_time', '200000', '--sortby', 'time', '--range', '0', '101',
        '20')

    N = ('report', 'nr_regions')
    for n, f in [('vm', 'damon-vm.data'), ('synth2t', 'synth2t.data'),
                 ('damon', 'damon.data')]:
        add('nr_regions-%s-default' % n, *N, '-i', f)
    add('nr_regions-vm-range', *N, '-i', 'damon-vm.data', '--range', '0',
        '101', '10')
    add('nr_regions-synth3-sortby-time', *N, '-i', 'synth3.data',
        '--sortby', 'time', '--range', '0', '101', '20')

    R = ('report', 'record_info')
    for n, f in [('vm', 'damon-vm.data'), ('synth2t', 'synth2t.data'),
                 ('damon', 'damon.data'), ('perf', 'perf.data.script')]:
        add('record_info-%s' % n, *R, '-i', f)
    add('record_info-synth2t-raw_numbers', *R, '-i', 'synth2t.data',
        '--raw_numbers')
    add('record_info-two-inputs', *R, '-i', 'synth1.data', 'synth2t.data',
        '--raw_numbers')
    add('record_info-deprecated-toplevel', 'record_info', '-i',
        'damon-vm.data')
    return c


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    damo, shared = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    out = os.path.join(HERE, 'out')
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    work = tempfile.mkdtemp(prefix='damo33-')
    for name, rel in SHARED_INPUTS.items():
        shutil.copy(os.path.join(shared, rel), os.path.join(work, name))
    for name in LOCAL_INPUTS:
        shutil.copy(os.path.join(HERE, 'in', name), os.path.join(work, name))
    env = dict(os.environ, LC_ALL='C.UTF-8', TZ='UTC', PYTHONHASHSEED='0')
    for k in ['LESS', 'LESSOPEN', 'LESSCLOSE', 'PAGER', 'COLUMNS', 'LINES']:
        env.pop(k, None)
    status, rows = [], []
    for name, argv in cases():
        with open(os.path.join(out, name), 'wb') as so, \
                open(os.path.join(out, name + '.stderr'), 'wb') as se:
            rc = subprocess.call(['python3', damo] + argv, cwd=work,
                                 stdin=subprocess.DEVNULL, stdout=so,
                                 stderr=se, env=env)
        p = os.path.join(out, name)
        if os.path.getsize(p + '.stderr') == 0:
            os.remove(p + '.stderr')
        stored = name
        if os.path.getsize(p) > BIG:
            subprocess.check_call(['zstd', '-q', '-19', '--rm', '-f', p])
            stored = name + '.zst'
        status.append('%s %d\n' % (name, rc))
        rows.append('| `%s` | %d | `damo %s` |\n' % (
            stored, rc, shlex.join(argv).replace('|', '\\|')))
    with open(os.path.join(out, 'STATUS'), 'w') as f:
        f.writelines(status)
    shutil.rmtree(work)
    readme = os.path.join(HERE, 'README.md')
    with open(readme) as f:
        text = f.read()
    head = text.split('<!-- cases -->')[0]
    with open(readme, 'w') as f:
        f.write(head + '<!-- cases -->\n\n| output | exit | command |\n'
                '|---|---|---|\n' + ''.join(rows))


if __name__ == '__main__':
    main()
