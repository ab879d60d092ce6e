// SPDX-License-Identifier: GPL-2.0-only
// damo-timeline's interactive report (render/html/report.html): decodes the
// data sections the C writer embedded (render/timeline_html.c), fills the
// summary and phase tables, and draws three panels on one time axis with
// uPlot (axes, layout, the WSS line) and plain canvas code in uPlot's draw
// hooks (the heatmap cells, the flame chart boxes), plus the call tree of a
// phase (an icicle on its own canvas).
//
// Why hand-written drawing: the heatmap is an image of cells at one zoom
// level scaled onto the plot (one drawImage), and the flame chart is a few
// hundred rectangles per redraw; uPlot has no cell or box series, and the
// flame graph libraries on npm are Apache-2.0 (d3-flame-graph; not
// combinable with GPL-2.0-only) or bring their own time axis and zoom
// (flame-chart-js), which would fight the shared one.  Colours follow
// render/timeline_plot.c (frame colours) and render/colormap.c (the colour
// map comes in the data), so the page looks like the PNG.
'use strict';

(function () {
	const $ = (id) => document.getElementById(id);
	const R = { charts: [] }; // state, also read by the browser tests
	window.dtReport = R;

	// ------------------------------------------------------------ data

	async function section(id) {
		const el = $(id);
		if (!el)
			return null;
		const text = atob(el.textContent.replace(/\s+/g, ''));
		const bin = new Uint8Array(text.length);
		for (let i = 0; i < text.length; i++)
			bin[i] = text.charCodeAt(i);
		const stream = new Blob([bin]).stream().pipeThrough(new DecompressionStream('deflate'));
		return new Uint8Array(await new Response(stream).arrayBuffer());
	}

	// Heat codes (render/html_encode.c): 0 NaN, 1 zero, else a log scale
	// over [lo, hi]; planes of high then low bytes.
	function heatDecoder(lv) {
		const llo = lv.lo > 0 ? Math.log(lv.lo) : 0;
		const step = lv.hi > 0 && lv.lo > 0 ? (Math.log(lv.hi) - llo) / 65533 : 0;
		return (code) => code === 0 ? NaN : code === 1 ? 0 : Math.exp(llo + (code - 2) * step);
	}

	async function loadHeat(meta) {
		for (const lv of meta.levels) {
			if (!lv.heat)
				continue;
			const raw = await section(lv.heat.section);
			const n = lv.heat.t_resol * meta.heat.a_resol;
			const codes = new Uint16Array(n);
			for (let i = 0; i < n; i++)
				codes[i] = (raw[i] << 8) | raw[n + i];
			lv.heat.codes = codes;
			lv.heat.value = heatDecoder(lv.heat);
		}
	}

	// ------------------------------------------------------------ formats

	function fmtBytes(b) {
		if (b === null || b === undefined || isNaN(b))
			return '-';
		const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
		let u = 0;
		while (Math.abs(b) >= 1024 && u < units.length - 1) {
			b /= 1024;
			u++;
		}
		return (u ? b.toPrecision(3) : String(Math.round(b))) + ' ' + units[u];
	}

	function fmtSec(s, digits) {
		const a = Math.abs(s);
		if (a !== 0 && a < 1e-3)
			return (s * 1e6).toFixed(digits === undefined ? 0 : digits) + ' us';
		if (a !== 0 && a < 1)
			return (s * 1e3).toFixed(digits === undefined ? 1 : digits) + ' ms';
		return s.toFixed(digits === undefined ? 2 : digits) + ' s';
	}

	// A time axis tick: as many decimals as the tick step needs.
	function tickSec(s, incr) {
		const ms = incr < 1, step = ms ? incr * 1e3 : incr;
		const digits = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
		return ms ? (s * 1e3).toFixed(digits) + ' ms' : s.toFixed(digits) + ' s';
	}

	const hex = (big) => '0x' + big.toString(16);
	const pct = (v) => (v * 100).toFixed(v < 0.1 ? 1 : 0) + '%';

	function fmtHeat(v) {
		if (isNaN(v))
			return 'none (no region observed)';
		return Number(v.toPrecision(4)).toString();
	}

	function el(tag, attrs, ...children) {
		const e = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {}))
			e.setAttribute(k, v);
		for (const c of children)
			e.append(c);
		return e;
	}

	function mapName(path) {
		if (path === '')
			return 'anon';
		if (path === '[heap]')
			return 'heap';
		if (path === '[stack]')
			return 'stack';
		if (path.startsWith('['))
			return path.slice(1, -1);
		return path.slice(path.lastIndexOf('/') + 1);
	}

	// ------------------------------------------------------------ summary

	function summaryRows(m) {
		const r = m.record, rows = [];
		const meta = r.meta || {};
		rows.push(['Input', r.record + (r.perf_script ? ' + ' + r.perf_script : '') +
			   (r.format ? ' (' + r.format + ')' : '')]);
		for (const t of r.targets)
			rows.push(['Command', (t.cmdline || '(unknown)') + (t.pid >= 0 ? '  [pid ' + t.pid + ']' : '') +
				   '  ' + t.ops + ', target ' + t.id]);
		if (meta.command_line)
			rows.push(['Recorded with', meta.command_line]);
		rows.push(['Kernel', meta.kernel_release || 'unknown'] );
		if (meta.hostname)
			rows.push(['Host', meta.hostname]);
		rows.push(['Time zero', m.time_zero_ns + ' ns ' + m.time_zero_clock + ' (the record\'s start); ' +
			   'times in s from it, as in the text report']);
		rows.push(['Duration', fmtSec(m.span_s) + ' from ' + m.start_s.toFixed(2) + ' s to ' +
			   (m.start_s + m.span_s).toFixed(2) + ' s (' + m.snapshots + ' snapshots, ' +
			   m.aggregations + ' aggregations, ' + r.regions + ' regions' +
			   (r.clock ? '; ' + r.clock + ' clock' : '') + ')']);
		for (const iv of r.intervals)
			rows.push(['Intervals', 'sample ' + iv.sample_us / 1e3 + ' ms, aggregation ' +
				   iv.aggr_us / 1e3 + ' ms, update ' + iv.update_us / 1e3 + ' ms' +
				   (r.intervals.length > 1 ? ' (kdamond ' + iv.kdamond + ')' : '')]);
		const quality = m.report.find((line) => line.startsWith('# recording: '));
		if (quality)
			rows.push(['Recording', quality.slice('# recording: '.length)]);
		rows.push(['Peak WSS', fmtBytes(m.peak_wss)]);
		const st = m.stacks;
		rows.push(['Callstacks', st.samples + ' samples (' + st.from_record + ' from the record, ' +
			   st.from_perf_script + ' from perf script; alignment ' + st.alignment + ')' +
			   (st.thread ? '; flame chart of ' + st.thread.comm + ' (pid ' + st.thread.pid +
				', tid ' + st.thread.tid + ')' : '')]);
		if (meta.source)
			rows.push(['Source', meta.source + (meta.tool_version ? ', ' + meta.tool_version : '')]);
		rows.push(['Warnings', m.warnings.length ? m.warnings.join('\n') : 'none']);
		return rows;
	}

	function fillSummary(m) {
		const t = $('summary');
		for (const [k, v] of summaryRows(m))
			t.append(el('tr', {}, el('th', {}, k), el('td', { style: 'white-space: pre-wrap' }, v)));
	}

	// ------------------------------------------------------------ phases

	function rangeText(r) {
		return r.start + ' +' + fmtBytes(r.bytes) + ' ' + (r.name || r.kind) +
			' (hot ' + pct(r.share) + ')';
	}

	// The text report's line of phase p ("phase N [...").
	function reportLine(m, p) {
		return m.report.find((line) => line.startsWith('phase ' + p.number + ' [')) || '';
	}

	function fillPhases(m) {
		const t = $('phases');
		t.append(el('tr', {}, ...['#', 'time (\u00b1 boundaries)', 'duration', 'name', 'pattern',
					  'WSS mean (min-max)', 'hot ranges', 'top functions (share of the phase)']
			.map((h) => el('th', {}, h))));
		if (!m.phases.length)
			t.append(el('tr', {}, el('td', { colspan: 8 }, 'no phases')));
		m.phases.forEach((p, k) => {
			const tops = p.top.map((f) => f.symbol + ' ' + pct(f.share));
			const line = reportLine(m, p);
			const row = el('tr', { class: 'phase', 'data-phase': String(k), 'data-named': p.named,
					       'data-report': line, title: line },
				el('td', { class: 'num' }, String(p.number)),
				el('td', { class: 'num' }, p.start_s.toFixed(2) + '-' + p.end_s.toFixed(2) + ' s (\u00b1' +
				   p.start_pm_s.toFixed(2) + ', \u00b1' + p.end_pm_s.toFixed(2) + ')'),
				el('td', { class: 'num' }, fmtSec(p.end_s - p.start_s)),
				el('td', { class: 'name' }, p.named || '-'),
				el('td', { class: 'pattern' }, p.pattern_text),
				el('td', { class: 'num' }, fmtBytes(p.wss_mean) + ' (' + fmtBytes(p.wss_min) + '-' +
				   fmtBytes(p.wss_max) + ')'),
				el('td', {}, p.ranges.map(rangeText).join('\n')),
				el('td', { class: 'fn' }, tops.join('\n') || '-'));
			row.style.whiteSpace = 'pre-line';
			row.addEventListener('click', () => selectPhase(k));
			t.append(row);
		});
	}

	// ------------------------------------------------------------ view

	// The time axis is in seconds from the record's time zero (the text
	// report's "# time zero"): the panels span [first(), last()].
	const view = { x0: 0, x1: 1 };
	const PHASE_SHADES = ['rgba(219,224,245,0.9)', 'rgba(247,230,204,0.9)'];
	const first = () => R.meta.start_s, last = () => R.meta.start_s + R.meta.span_s;

	function setView(x0, x1) {
		const span = R.meta.span_s, min = Math.max(span * 1e-7, 1e-6), lo = first(), hi = last();
		if (x1 - x0 < min) {
			const c = (x0 + x1) / 2;
			x0 = c - min / 2;
			x1 = c + min / 2;
		}
		if (x1 - x0 > span) {
			x0 = lo;
			x1 = hi;
		}
		if (x0 < lo) {
			x1 += lo - x0;
			x0 = lo;
		}
		if (x1 > hi) {
			x0 -= x1 - hi;
			x1 = hi;
		}
		view.x0 = x0;
		view.x1 = x1;
		for (const u of R.charts)
			u.setScale('x', { min: x0, max: x1 });
		const lv = (kind) => { const k = levelFor(kind); return k < 0 ? '-' : R.meta.levels[k].columns; };
		const digits = Math.max(3, Math.min(6, 1 - Math.floor(Math.log10(x1 - x0))));
		$('range').textContent = x0.toFixed(digits) + ' - ' + x1.toFixed(digits) + ' s  (columns: WSS ' + lv('wss') +
			', heatmap ' + lv('heat') + ', callstacks ' + lv('flame') + ')';
		updateLevels();
	}

	// The coarsest level with a column per pixel of the visible span (the
	// finest kept when none has).
	function levelFor(kind) {
		const m = R.meta, width = R.plotWidth || 800;
		const frac = (view.x1 - view.x0) / m.span_s;
		let best = -1;
		for (let k = 0; k < m.levels.length; k++) {
			if (!m.levels[k][kind])
				continue;
			best = k;
			if (m.levels[k].columns * frac >= width)
				break;
		}
		return best;
	}

	// Seconds of column edge c of level k; the column of time t.
	function colTime(k, c) {
		return first() + c * R.meta.span_s / R.meta.levels[k].columns;
	}

	function colOf(k, t) {
		return Math.floor((t - first()) / R.meta.span_s * R.meta.levels[k].columns);
	}

	function shadePhases(u, labels) {
		const ctx = u.ctx, { top, height } = u.bbox;
		ctx.save();
		R.meta.phases.forEach((p, k) => {
			const x0 = u.valToPos(p.start_s, 'x', true), x1 = u.valToPos(p.end_s, 'x', true);
			ctx.fillStyle = PHASE_SHADES[k % 2];
			ctx.fillRect(x0, top, Math.max(x1 - x0, 1), height);
			if (R.selected === k) {
				ctx.strokeStyle = '#3355cc';
				ctx.lineWidth = 2 * uPlot.pxRatio;
				ctx.strokeRect(x0, top + 1, Math.max(x1 - x0, 1), height - 2);
			}
			if (!labels)
				return;
			const text = p.named ? p.number + ': ' + p.named : String(p.number);
			ctx.font = 11 * uPlot.pxRatio + 'px sans-serif';
			ctx.textAlign = 'left';
			ctx.textBaseline = 'alphabetic';
			ctx.fillStyle = '#333';
			if (ctx.measureText(text).width + 6 < x1 - x0)
				ctx.fillText(text, x0 + 3 * uPlot.pxRatio, top + 12 * uPlot.pxRatio);
		});
		ctx.restore();
	}

	// ------------------------------------------------------------ charts

	const Y_AXIS = 96; // every panel's left axis is this wide: plots line up
	const HEAT_MARGIN = 80; // the heatmap panel's title and time axis

	function baseOpts(title, height, hooks) {
		return {
			title, height, width: R.width,
			legend: { show: false },
			cursor: { drag: { x: false, y: false, setScale: false }, points: { show: false }, y: false },
			scales: { x: { time: false, auto: false, range: () => [view.x0, view.x1] } },
			axes: [
				{ size: 36, space: 70, values: (u, splits, ax, space, incr) => splits.map((s) => tickSec(s, incr)) },
				{ size: Y_AXIS },
			],
			hooks,
		};
	}

	// WSS mean, maximum and RSS (null where the record has none) per
	// column of level k.
	function wssData(k) {
		const m = R.meta, lv = m.levels[k], xs = [];
		for (let c = 0; c < lv.columns; c++)
			xs.push(colTime(k, c + 0.5));
		return [xs, lv.wss.mean, lv.wss.max, lv.wss.rss || xs.map(() => null)];
	}

	// The panel's top: the largest WSS or RSS of any level.
	function wssPeak(m) {
		let peak = m.peak_wss;
		for (const lv of m.levels)
			for (const v of (lv.wss && lv.wss.rss) || [])
				peak = Math.max(peak, v || 0);
		return Math.max(peak * 1.15, 1);
	}

	// As the PNG draws it (render/timeline_plot.c): RSS orange under the
	// WSS blue, the title naming the colours when there is RSS.
	function makeWss(m) {
		const k = levelFor('wss');
		const opts = baseOpts(k < 0 ? 'Working set size: no DAMON snapshots in the input' :
				      m.has_rss ? 'Working set size (blue: accessed) and resident set size ' +
				      '(orange): RSS above WSS is resident but cold' :
				      'Working set size (bytes of regions accessed in each aggregation)', 200,
				      { drawClear: [(u) => shadePhases(u, true)] });
		const peak = wssPeak(m);
		opts.scales.y = { auto: false, range: () => [0, peak] };
		opts.axes[1].values = (u, splits) => splits.map(fmtBytes);
		opts.series = [{}, { label: 'WSS', stroke: '#1f77b4', width: 1.5 },
			       { label: 'WSS max', stroke: 'rgba(31,119,180,0.35)', width: 1 },
			       { label: 'RSS', stroke: '#ff800d', width: 1.5, show: !!m.has_rss }];
		const u = new uPlot(opts, k < 0 ? [[first(), last()], [null, null], [null, null], [null, null]] : wssData(k),
				    $('panel-wss'));
		u.dtLevel = k;
		u.dtKind = 'wss';
		return u;
	}

	// One offscreen canvas per heat level: a pixel per cell, high addresses
	// at the top, coloured as render/plot.c colours the PNG's cells.
	function heatImage(k) {
		const m = R.meta, h = m.heat, lv = m.levels[k].heat;
		if (lv.image)
			return lv.image;
		const T = lv.t_resol, A = h.a_resol, cv = document.createElement('canvas');
		cv.width = T;
		cv.height = A;
		const ctx = cv.getContext('2d'), img = ctx.createImageData(T, A);
		const lut = h.lut.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
		let vmin = Infinity, vmax = -Infinity;
		for (let i = 0; i < T * A; i++) {
			const v = lv.value(lv.codes[i]);
			if (!isNaN(v)) {
				vmin = Math.min(vmin, v);
				vmax = Math.max(vmax, v);
			}
		}
		if (!(vmax > vmin))
			vmax = vmin + 1;
		lv.vmin = vmin;
		lv.vmax = vmax;
		for (let i = 0; i < T; i++) {
			for (let j = 0; j < A; j++) {
				const v = lv.value(lv.codes[i * A + j]);
				const o = ((A - 1 - j) * T + i) * 4;
				let rgb = [255, 255, 255];
				if (!isNaN(v)) {
					let t = h.scale === 'log' ? Math.log10(1 + v - vmin) / Math.log10(1 + vmax - vmin)
						: (v - vmin) / (vmax - vmin);
					t = t > 0 ? Math.min(t, 1) : 0;
					rgb = lut[Math.round(t * 255)];
				}
				img.data[o] = rgb[0];
				img.data[o + 1] = rgb[1];
				img.data[o + 2] = rgb[2];
				img.data[o + 3] = 255;
			}
		}
		ctx.putImageData(img, 0, 0);
		lv.image = cv;
		return cv;
	}

	// Seconds (from the time zero) of heat level k's column edge i.
	function heatColTime(k, i) {
		const lv = R.meta.levels[k].heat;
		return (Number(BigInt(lv.t_start_ns) - BigInt(R.meta.time_zero_ns)) + i * lv.t_unit_ns) / 1e9;
	}

	function drawHeat(u) {
		const k = levelFor('heat');
		u.dtLevel = k;
		if (k < 0)
			return;
		const m = R.meta, lv = m.levels[k].heat, img = heatImage(k), ctx = u.ctx, b = u.bbox;
		const unit = lv.t_unit_ns / 1e9, h0 = heatColTime(k, 0);
		const c0 = Math.max(0, Math.floor((view.x0 - h0) / unit));
		const c1 = Math.min(lv.t_resol, Math.ceil((view.x1 - h0) / unit));
		if (c1 <= c0)
			return;
		const x0 = u.valToPos(heatColTime(k, c0), 'x', true), x1 = u.valToPos(heatColTime(k, c1), 'x', true);
		ctx.save();
		ctx.beginPath();
		ctx.rect(b.left, b.top, b.width, b.height);
		ctx.clip();
		ctx.imageSmoothingEnabled = false;
		ctx.drawImage(img, c0, 0, c1 - c0, img.height, x0, b.top, x1 - x0, b.height);
		ctx.fillStyle = 'rgba(255,255,255,0.9)';
		for (const p of m.phases)
			for (const t of [p.start_s, p.end_s])
				ctx.fillRect(u.valToPos(t, 'x', true) - uPlot.pxRatio / 2, b.top, uPlot.pxRatio, b.height);
		ctx.restore();
		drawPieceGaps(u);
	}

	// Between the areas: a line and the collapsed gap's size, as the PNG
	// (render/convert_data.c dt_panel_heat_pieces).
	function drawPieceGaps(u) {
		const h = R.meta.heat, ctx = u.ctx, b = u.bbox, px = uPlot.pxRatio;
		const word = h.choice === 'worked' ? 'not accessed' : 'unmapped';
		ctx.save();
		ctx.font = 10 * px + 'px sans-serif';
		ctx.textAlign = 'left';
		ctx.textBaseline = 'bottom';
		(h.pieces || []).slice(0, -1).forEach((p, k) => {
			const y = u.valToPos(p.row + p.rows, 'y', true);
			const gap = Number(BigInt(h.pieces[k + 1].start) - BigInt(p.end));
			ctx.fillStyle = '#333';
			ctx.fillRect(b.left, y - px / 2, b.width, px);
			const text = fmtBytes(gap) + ' ' + word;
			ctx.fillStyle = 'rgba(255,255,255,0.85)';
			ctx.fillRect(b.left + 2 * px, y - 13 * px, ctx.measureText(text).width + 6 * px, 12 * px);
			ctx.fillStyle = '#000';
			ctx.fillText(text, b.left + 5 * px, y - 2 * px);
		});
		ctx.restore();
	}

	function heatTitle(m) {
		const h = m.heat;
		if (!h)
			return m.has_damon ? 'Access heatmap: no regions in the snapshots' :
				'Access heatmap: no DAMON snapshots in the input';
		const who = 'target ' + h.target_id + (h.pid >= 0 ? ' (pid ' + h.pid + ')' : '');
		if (h.pieces)
			return 'Access heatmap of ' + who + ': ' + h.name + ', ' + (h.choice === 'worked' ?
				'the address space between them collapsed' : 'unmapped gaps collapsed');
		return 'Access heatmap of ' + who + ': ' + h.start + ' +' +
			fmtBytes(Number(BigInt(h.end) - BigInt(h.start))) + (h.name ? ' (' + h.name + ')' : '');
	}

	function heatAxis(m) {
		const h = m.heat, A = h ? h.a_resol : 1;
		if (h && h.pieces)
			return {
				splits: () => h.pieces.map((p) => p.row + p.rows / 2),
				// two lines: "stack 0x7ffe1a00f000" is wider than the axis
				values: () => h.pieces.map((p) => (p.name ? p.name + ' +' : '+') +
							      fmtBytes(Number(BigInt(p.end) - BigInt(p.start))) + '\n' + p.start),
			};
		return {
			splits: () => [0, A / 4, A / 2, 3 * A / 4, A],
			values: (u, splits) => splits.map((s) => h ? hex(BigInt(h.a_start) + BigInt(Math.round(s)) *
								      BigInt(h.a_unit)) : ''),
		};
	}

	function makeHeat(m) {
		const A = m.heat ? m.heat.a_resol : 1;
		// at least a pixel per address cell: none is lost in the scaling
		const opts = baseOpts(heatTitle(m), Math.max(260, A + HEAT_MARGIN), { draw: [drawHeat] });
		opts.scales.y = { auto: false, range: () => [0, A] };
		Object.assign(opts.axes[1], heatAxis(m), { font: '10px sans-serif' });
		opts.series = [{}, { show: false }];
		const u = new uPlot(opts, [[first(), last()], [null, null]], $('panel-heat'));
		u.dtKind = 'heat';
		return u;
	}

	// `text` cut (with an ellipsis) to fit `width` pixels; '' when nothing fits.
	function fit(ctx, text, width) {
		if (ctx.measureText(text).width <= width)
			return text;
		let n = text.length;
		while (n > 1 && ctx.measureText(text.slice(0, n) + '\u2026').width > width)
			n = Math.floor(n * 0.8);
		return n > 1 ? text.slice(0, n) + '\u2026' : '';
	}

	// Flame chart colours: render/timeline_plot.c's frame_color.
	const utf8 = new TextEncoder();
	function frameColor(symbol, dso) {
		let h = 2166136261;
		for (const b of utf8.encode(symbol))
			h = Math.imul(h ^ b, 16777619) >>> 0;
		const a = (h & 0xff) / 255, b = ((h >>> 8) & 0xff) / 255, c = ((h >>> 16) & 0xff) / 255;
		let rgb;
		if (symbol === '[unknown]')
			rgb = [0.78, 0.78, 0.78];
		else if (dso.startsWith('[kernel'))
			rgb = [0.45 + 0.20 * a, 0.65 + 0.20 * b, 0.85 + 0.15 * c];
		else
			rgb = [0.88 + 0.12 * a, 0.45 + 0.40 * b, 0.15 + 0.25 * c];
		return 'rgb(' + rgb.map((x) => Math.round(x * 255)).join(',') + ')';
	}

	// Call path of node n (output number), root first: node numbers.
	function pathOf(n) {
		const p = [];
		for (; n; n = R.meta.nodes[2 * (n - 1)])
			p.push(n);
		return p.reverse();
	}
	const frameOf = (n) => R.meta.frames[R.meta.nodes[2 * (n - 1) + 1]];

	function flamePaths(k) {
		const lv = R.meta.levels[k];
		if (!lv.paths)
			lv.paths = lv.flame.map(pathOf);
		return lv.paths;
	}

	function flameLevels(m) {
		return Math.max(4, m.flameDepth || 1);
	}

	// Boxes of the visible columns: per depth, runs of columns with the same
	// node (the same call path down to that depth).
	function flameBoxes(k) {
		const m = R.meta, paths = flamePaths(k), C = m.levels[k].columns;
		const c0 = Math.max(0, colOf(k, view.x0));
		const c1 = Math.min(C, Math.ceil((view.x1 - first()) / m.span_s * C));
		const boxes = [];
		for (let d = 0; d < flameLevels(m); d++) {
			for (let c = c0; c < c1;) {
				const n = paths[c][d];
				let e = c + 1;
				if (!n) {
					c = e;
					continue;
				}
				while (e < c1 && paths[e][d] === n)
					e++;
				boxes.push({ c0: c, c1: e, depth: d, node: n });
				c = e;
			}
		}
		return boxes;
	}

	function drawFlame(u) {
		const k = levelFor('flame');
		u.dtLevel = k;
		if (k < 0)
			return;
		const m = R.meta, ctx = u.ctx, b = u.bbox, levels = flameLevels(m), rowH = b.height / levels;
		ctx.save();
		ctx.beginPath();
		ctx.rect(b.left, b.top, b.width, b.height);
		ctx.clip();
		ctx.font = 11 * uPlot.pxRatio + 'px sans-serif';
		ctx.textAlign = 'left';
		ctx.textBaseline = 'middle';
		u.dtBoxes = flameBoxes(k);
		for (const bx of u.dtBoxes) {
			const [sym, dso] = frameOf(bx.node);
			const x0 = u.valToPos(colTime(k, bx.c0), 'x', true), x1 = u.valToPos(colTime(k, bx.c1), 'x', true);
			const y = b.top + bx.depth * rowH;
			ctx.fillStyle = frameColor(sym, dso);
			ctx.fillRect(x0, y, Math.max(x1 - x0 - 0.5, 0.5), rowH - 1);
			if (x1 - x0 > 30 * uPlot.pxRatio) {
				ctx.fillStyle = '#000';
				ctx.fillText(fit(ctx, sym, x1 - x0 - 6), x0 + 3, y + rowH / 2);
			}
		}
		ctx.restore();
	}

	function makeFlame(m) {
		const st = m.stacks.thread;
		const title = st ? 'Callstacks of ' + (st.comm || 'thread') + ' (pid ' + st.pid + ', tid ' + st.tid +
			') by time: the heaviest call path of each time column, root at the top (kernel frames blue)' :
			'Callstacks: none in the input';
		const opts = baseOpts(title, 70 + 16 * flameLevels(m),
				      { drawClear: [(u) => shadePhases(u, false)], draw: [drawFlame] });
		opts.scales.y = { auto: false, range: () => [0, 1] };
		opts.axes[1].values = (u, splits) => splits.map(() => '');
		opts.series = [{}, { show: false }];
		const u = new uPlot(opts, [[first(), last()], [null, null]], $('panel-flame'));
		u.dtKind = 'flame';
		return u;
	}

	// ------------------------------------------------------------ hover

	function showTip(ev, lines, data) {
		const tip = $('tip');
		tip.textContent = lines.join('\n');
		for (const k of Object.keys(tip.dataset))
			delete tip.dataset[k];
		Object.assign(tip.dataset, data);
		tip.hidden = false;
		const x = Math.min(ev.clientX + 14, window.innerWidth - tip.offsetWidth - 4);
		tip.style.left = x + 'px';
		tip.style.top = (ev.clientY + 14) + 'px';
	}

	function mapOf(addr) {
		for (const [s, e, path] of R.meta.heat.maps)
			if (BigInt(s) <= addr && addr < BigInt(e))
				return mapName(path);
		return '- (not in the record\'s last memory maps)';
	}

	// The heat cell under the pointer: time cell i, address cell j, and its
	// address range.
	function heatCell(u, ev) {
		const k = u.dtLevel, m = R.meta, h = m.heat;
		if (k === undefined || k < 0 || !h)
			return null;
		const lv = m.levels[k].heat, t = u.posToVal(ev.offsetX, 'x'), yv = u.posToVal(ev.offsetY, 'y');
		const i = Math.floor((t - heatColTime(k, 0)) / (lv.t_unit_ns / 1e9)), j = Math.floor(yv);
		if (i < 0 || i >= lv.t_resol || j < 0 || j >= h.a_resol)
			return null;
		let start = BigInt(h.a_start) + BigInt(j) * BigInt(h.a_unit), unit = BigInt(h.a_unit), where = '';
		for (const p of h.pieces || []) {
			if (j >= p.row && j < p.row + p.rows) {
				start = BigInt(p.start) + BigInt(j - p.row) * BigInt(p.unit);
				unit = BigInt(p.unit);
				where = p.name;
			}
		}
		return { k, i, j, start, end: start + unit, where, value: lv.value(lv.codes[i * h.a_resol + j]) };
	}

	function hoverHeat(u, ev) {
		const c = heatCell(u, ev);
		if (!c)
			return $('tip').hidden = true;
		const t0 = heatColTime(c.k, c.i), t1 = heatColTime(c.k, c.i + 1), h = R.meta.heat;
		const unit = h.value_hz ? ' Hz (accesses per second)' : ' accesses per aggregation';
		showTip(ev, ['time ' + fmtSec(t0, 3) + ' - ' + fmtSec(t1, 3),
			     'address ' + hex(c.start) + ' - ' + hex(c.end) + ' (' + fmtBytes(Number(c.end - c.start)) + ')',
			     'heat ' + fmtHeat(c.value) + (isNaN(c.value) ? '' : unit),
			     'mapping: ' + mapOf(c.start) + (c.where ? ' (area: ' + c.where + ')' : ''),
			     'cell ' + c.i + ', ' + c.j + ' of ' + R.meta.levels[c.k].columns + ' x ' + h.a_resol],
			{ kind: 'heat', addr: hex(c.start), addrEnd: hex(c.end), heat: String(c.value), level: String(c.k),
			  col: String(c.i), row: String(c.j), time: String(t0) });
	}

	function hoverFlame(u, ev) {
		const k = u.dtLevel, m = R.meta;
		if (k === undefined || k < 0 || !u.dtBoxes)
			return $('tip').hidden = true;
		const t = u.posToVal(ev.offsetX, 'x'), depth = Math.floor(ev.offsetY / (u.over.clientHeight / flameLevels(m)));
		const c = colOf(k, t);
		const bx = u.dtBoxes.find((x) => x.depth === depth && c >= x.c0 && c < x.c1);
		if (!bx)
			return $('tip').hidden = true;
		const [sym, dso] = frameOf(bx.node);
		showTip(ev, [sym, 'DSO ' + (dso || '(none)'), 'depth ' + (depth + 1) + ', ' +
			     fmtSec(colTime(k, bx.c0), 3) + ' - ' + fmtSec(colTime(k, bx.c1), 3)],
			{ kind: 'frame', symbol: sym, dso });
	}

	function hoverWss(u, ev) {
		const k = levelFor('wss'), m = R.meta;
		if (k < 0)
			return $('tip').hidden = true;
		const t = u.posToVal(ev.offsetX, 'x'), c = colOf(k, t);
		const lv = m.levels[k].wss;
		if (c < 0 || c >= lv.mean.length)
			return $('tip').hidden = true;
		const ph = m.phases.find((p) => t >= p.start_s && t < p.end_s);
		const lines = ['time ' + fmtSec(colTime(k, c), 3) + ' - ' + fmtSec(colTime(k, c + 1), 3),
			       'WSS ' + fmtBytes(lv.mean[c]) + ' (max ' + fmtBytes(lv.max[c]) + ')'];
		if (lv.rss)
			lines.push('RSS ' + fmtBytes(lv.rss[c]) + ' (all targets)');
		lines.push(ph ? 'phase ' + ph.number + (ph.named ? ': ' + ph.named : '') : 'no phase');
		showTip(ev, lines, { kind: 'wss', col: String(c), level: String(k), wss: String(lv.mean[c]),
				    rss: lv.rss ? String(lv.rss[c]) : '' });
	}

	// ------------------------------------------------------------ zoom, pan

	function attach(u, hover) {
		const over = u.over;
		over.addEventListener('wheel', (ev) => {
			ev.preventDefault();
			const t = u.posToVal(ev.offsetX, 'x'), f = Math.exp(ev.deltaY * 0.0015);
			setView(t - (t - view.x0) * f, t + (view.x1 - t) * f);
		}, { passive: false });
		over.addEventListener('mousedown', (ev) => {
			if (ev.button !== 0)
				return;
			const start = { x: ev.clientX, x0: view.x0, x1: view.x1 }, w = over.clientWidth;
			let moved = false;
			over.parentElement.closest('.panel').classList.add('dragging');
			const move = (e) => {
				const dx = e.clientX - start.x;
				moved = moved || Math.abs(dx) > 3;
				if (!moved)
					return;
				const dt = dx / w * (start.x1 - start.x0);
				setView(start.x0 - dt, start.x1 - dt);
			};
			const up = (e) => {
				window.removeEventListener('mousemove', move);
				window.removeEventListener('mouseup', up);
				over.parentElement.closest('.panel').classList.remove('dragging');
				if (!moved) {
					const t = u.posToVal(e.clientX - over.getBoundingClientRect().left, 'x');
					const k = R.meta.phases.findIndex((p) => t >= p.start_s && t < p.end_s);
					if (k >= 0 && u.dtKind !== 'heat')
						selectPhase(k);
				}
			};
			window.addEventListener('mousemove', move);
			window.addEventListener('mouseup', up);
		});
		over.addEventListener('mousemove', (ev) => hover(u, ev));
		over.addEventListener('mouseleave', () => { $('tip').hidden = true; });
	}

	// ------------------------------------------------------------ call tree

	// The phase's samples as a tree of frames.  Rooted at `focus` (a frame
	// name): each sample's path from the outermost call of that function
	// on; samples that never call it are left out (counted in `outside`).
	function buildTree(p, focus) {
		const root = { name: focus || 'phase ' + p.number, dso: '', self: 0, total: 0, kids: new Map() };
		const self = p.tree.self, callers = new Map();
		let outside = 0;
		for (let i = 0; i < self.length; i += 2) {
			const w = self[i + 1], frames = pathOf(self[i]).map(frameOf);
			let from = 0;
			if (focus) {
				from = frames.findIndex((f) => f[0] === focus);
				if (from < 0) {
					outside += w;
					continue;
				}
				const key = frames.slice(0, from).map((f) => f[0]).join(' \u203a ');
				callers.set(key, (callers.get(key) || 0) + w);
				from++;
				root.dso = frames[from - 1][1];
			}
			let node = root;
			node.total += w;
			for (const [name, dso] of frames.slice(from)) {
				let kid = node.kids.get(name + '\0' + dso);
				if (!kid) {
					kid = { name, dso, self: 0, total: 0, kids: new Map() };
					node.kids.set(name + '\0' + dso, kid);
				}
				kid.total += w;
				node = kid;
			}
			node.self += w;
		}
		let caller = '', best = -1;
		for (const [k, w] of callers)
			if (w > best) {
				best = w;
				caller = k;
			}
		return { root, outside, caller, weight: p.tree.weight };
	}

	const ROW = 20;

	function layoutTree(tree) {
		const rows = [];
		const walk = (n, x, depth) => {
			rows.push({ n, x, w: n.total / tree.root.total, depth });
			let cx = x;
			for (const kid of [...n.kids.values()].sort((a, b) => b.total - a.total)) {
				walk(kid, cx, depth + 1);
				cx += kid.total / tree.root.total;
			}
		};
		if (tree.root.total > 0)
			walk(tree.root, 0, 0);
		return rows;
	}

	function drawTree() {
		const cv = $('tree'), tree = R.tree;
		const rows = layoutTree(tree), depth = rows.reduce((d, r) => Math.max(d, r.depth + 1), 0);
		const ratio = window.devicePixelRatio || 1, W = cv.clientWidth || cv.parentElement.clientWidth;
		cv.style.height = depth * ROW + 'px';
		cv.width = W * ratio;
		cv.height = depth * ROW * ratio;
		const ctx = cv.getContext('2d');
		ctx.scale(ratio, ratio);
		ctx.font = '12px sans-serif';
		ctx.textBaseline = 'middle';
		for (const r of rows) {
			const x = r.x * W, w = r.w * W, y = r.depth * ROW;
			ctx.fillStyle = r.depth === 0 && !R.treeFocus ? '#c8c8d8' : frameColor(r.n.name, r.n.dso);
			ctx.fillRect(x, y, Math.max(w - 1, 0.5), ROW - 1);
			const label = r.n.name + ' ' + pct(r.n.total / tree.weight);
			if (w > 40) {
				ctx.fillStyle = '#000';
				ctx.fillText(fit(ctx, label, w - 6), x + 3, y + ROW / 2);
			}
		}
		R.treeRows = rows;
		cv.dataset.root = rows.length ? rows[0].n.name : '';
	}

	function hoverTree(ev) {
		const r = (R.treeRows || []).find((q) => q.depth === Math.floor(ev.offsetY / ROW) &&
			ev.offsetX >= q.x * ev.target.clientWidth && ev.offsetX < (q.x + q.w) * ev.target.clientWidth);
		if (!r)
			return $('tip').hidden = true;
		const W = R.tree.weight || 1;
		showTip(ev, [r.n.name, 'DSO ' + (r.n.dso || '(none)'), 'total ' + pct(r.n.total / W) + ' of the phase',
			     'self ' + pct(r.n.self / W) + ' of the phase'],
			{ kind: 'tree', symbol: r.n.name, dso: r.n.dso, total: String(r.n.total / W), self: String(r.n.self / W) });
	}

	function showTree(k, focus) {
		const m = R.meta, p = m.phases[k];
		R.treeFocus = focus;
		R.tree = buildTree(p, focus);
		const named = focus ? ' rooted at ' + focus : ' from its roots';
		$('tree-title').textContent = 'Phase ' + p.number + ' (' + p.start_s.toFixed(2) + '-' + p.end_s.toFixed(2) +
			' s): call tree' + named;
		$('tree-note').textContent = p.tree.samples + ' samples in the phase; boxes: total share of the ' +
			'phase (hover for self share); click a box to root the tree there.' +
			(focus && R.tree.outside ? ' ' + pct(R.tree.outside / p.tree.weight) + ' of the phase never called ' +
			 focus + '.' : '');
		$('tree-path').textContent = focus && R.tree.caller ? 'called from: ' + R.tree.caller : '';
		$('tree-whole').hidden = !focus;
		drawTree();
		const t = $('tree-top');
		t.replaceChildren(el('tr', {}, ...['function', 'DSO', 'share'].map((h) => el('th', {}, h))));
		for (const f of p.top)
			t.append(el('tr', {}, el('td', {}, f.symbol), el('td', {}, f.dso), el('td', { class: 'num' }, pct(f.share))));
	}

	function selectPhase(k) {
		const m = R.meta, p = m.phases[k];
		R.selected = k;
		for (const row of document.querySelectorAll('#phases tr.phase'))
			row.classList.toggle('selected', Number(row.dataset.phase) === k);
		const pad = (p.end_s - p.start_s) * 0.05;
		setView(p.start_s - pad, p.end_s + pad);
		showTree(k, p.named || '');
	}

	// ------------------------------------------------------------ start

	function updateLevels() {
		for (const u of R.charts) {
			if (u.dtKind !== 'wss')
				continue;
			const k = levelFor('wss');
			if (k >= 0 && k !== u.dtLevel) {
				u.dtLevel = k;
				u.setData(wssData(k), false);
			}
		}
	}

	function sizeCharts() {
		R.width = Math.max(400, $('timeline-section').clientWidth);
		R.plotWidth = R.width - Y_AXIS - 20;
		for (const u of R.charts)
			u.setSize({ width: R.width, height: u.height });
	}

	async function main() {
		const meta = JSON.parse(new TextDecoder().decode(await section('dt-meta')));
		R.meta = meta;
		await loadHeat(meta);
		meta.flameDepth = 0;
		for (let i = 0; i < meta.nodes.length; i += 2)
			meta.flameDepth = Math.max(meta.flameDepth, pathOf(i / 2 + 1).length);
		meta.flameDepth = Math.min(meta.flameDepth, meta.max_depth);
		if (meta.heat)
			meta.heat.maps = meta.heat.maps || [];
		fillSummary(meta);
		fillPhases(meta);
		view.x0 = first();
		view.x1 = last();
		R.width = Math.max(400, $('timeline-section').clientWidth);
		R.plotWidth = R.width - Y_AXIS - 20;
		R.charts = [makeWss(meta), makeHeat(meta), makeFlame(meta)];
		attach(R.charts[0], hoverWss);
		attach(R.charts[1], hoverHeat);
		attach(R.charts[2], hoverFlame);
		R.setView = setView;
		$('reset').addEventListener('click', () => setView(first(), last()));
		$('tree-whole').addEventListener('click', () => showTree(R.selected, ''));
		$('tree').addEventListener('mousemove', hoverTree);
		$('tree').addEventListener('mouseleave', () => { $('tip').hidden = true; });
		$('tree').addEventListener('click', (ev) => {
			const r = (R.treeRows || []).find((q) => q.depth === Math.floor(ev.offsetY / ROW) &&
				ev.offsetX >= q.x * ev.target.clientWidth && ev.offsetX < (q.x + q.w) * ev.target.clientWidth);
			if (r && r.depth > 0)
				showTree(R.selected, r.n.name);
		});
		window.addEventListener('resize', () => { sizeCharts(); if (R.tree) drawTree(); });
		setView(first(), last());
		$('status').textContent = meta.phases.length + ' phase' + (meta.phases.length === 1 ? '' : 's') +
			' in ' + fmtSec(meta.span_s) + '; ' + meta.generator;
		R.ready = true;
	}

	R.selectPhase = (k) => selectPhase(k);
	// Where the centre of heat cell (i, j) of level k is, in client
	// coordinates (for tests and for pointing at a cell from outside).
	R.cellPoint = (k, i, j) => {
		const u = R.charts[1], r = u.over.getBoundingClientRect();
		return { x: r.left + u.valToPos(heatColTime(k, i + 0.5), 'x'), y: r.top + u.valToPos(j + 0.5, 'y') };
	};
	// Centre of the widest flame chart box at `depth` (0: roots) in client
	// coordinates, with its frame, or null.
	R.boxPoint = (depth) => {
		const u = R.charts[2], r = u.over.getBoundingClientRect(), k = u.dtLevel;
		const boxes = (u.dtBoxes || []).filter((b) => b.depth === depth);
		if (!boxes.length)
			return null;
		const b = boxes.reduce((a, x) => (x.c1 - x.c0 > a.c1 - a.c0 ? x : a));
		const [symbol, dso] = frameOf(b.node), rowH = r.height / flameLevels(R.meta);
		return { x: r.left + u.valToPos(colTime(k, (b.c0 + b.c1) / 2), 'x'), y: r.top + (depth + 0.5) * rowH,
			 symbol, dso };
	};
	main().catch((e) => {
		$('status').textContent = 'The report could not be shown: ' + e;
		$('status').className = 'error';
		console.error(e);
	});
})();
