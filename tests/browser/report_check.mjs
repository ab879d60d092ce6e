// SPDX-License-Identifier: GPL-2.0-only
// Check damo-timeline's HTML report in Debian's headless chromium, driven by
// puppeteer-core (tests/npm) over the DevTools protocol, from file:// with
// every network request refused:
//   load      the report shows up with no console error, no exception and
//             no request other than file:, data: or blob:; its summary gives
//             the text report's time zero and warnings;
//   phase:F   clicking the phase whose report line names F (its "top:"
//             function; found by name, not by number) shows F at the top of
//             its call tree (the tree canvas's first row); the phase table
//             gives the report line's times (one time zero);
//   zoom      mouse wheel over the heatmap narrows the time axis of all three
//             panels alike;
//   hover     at the finest heatmap level, hovering the cell of median heat
//             (of those with some, between address neighbours with some)
//             shows a cell's address and heat, checked against `damo-heatmap
//             --output raw` with the same --resol, --time_range and
//             --address_range for the cell the page names, which must be the
//             one pointed at or its address neighbour (rows are about a pixel
//             tall) (heat within 2e-4 relative: the page keeps heats as 16-bit
//             log codes);
//   stack     hovering a flame chart box shows its function and DSO;
//   rss       with --rss: the WSS panel draws the RSS line and hovering it
//             shows the RSS of the column, the largest sum of the targets'
//             RSS read in it (the last before it where none was), checked
//             against `damo-convert --what footprint`; without: the record
//             has no footprints, the page no RSS line nor value;
//   pan       a drag moves the time axis of all panels;
//   shot      a full-page screenshot is not blank (colours counted in the
//             browser) and the page is no wider than the window.
// Usage: node report_check.mjs REPORT.html RECORD SHOT.png [--rss] FUNCTION...
// Environment: DT_BIN (damo-heatmap), DT_NPM (tests/npm), CHROMIUM.
// Prints "PASS: name: ..." / "FAIL: name: ..." lines; exits 1 on any failure.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [report, record, shotPath, ...rest] = process.argv.slice(2);
const wantRss = rest[0] === '--rss', functions = wantRss ? rest.slice(1) : rest;
if (!report || !record || !shotPath) {
	console.error('usage: report_check.mjs REPORT.html RECORD SHOT.png [--rss] FUNCTION...');
	process.exit(2);
}
const npmDir = process.env.DT_NPM || resolve(import.meta.dirname || '.', '../npm');
const puppeteer = createRequire(join(npmDir, 'package.json'))('puppeteer-core');
const heatmap = join(process.env.DT_BIN || 'bin', 'damo-heatmap');
const convert = join(process.env.DT_BIN || 'bin', 'damo-convert');
let failed = 0;
const result = (name, ok, msg) => {
	if (!ok)
		failed++;
	console.log(`${ok ? 'PASS' : 'FAIL'}: ${name}: ${msg}`);
};
function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

const browser = await puppeteer.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
	       '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	defaultViewport: { width: 1280, height: 900 },
	timeout: 60000,
});
const errors = [], requests = [];
try {
	const page = await browser.newPage();
	page.on('console', (m) => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
	page.on('pageerror', (e) => errors.push('exception: ' + e.message));
	await page.setRequestInterception(true);
	page.on('request', (rq) => {
		const u = rq.url();
		if (/^(file|data|blob):/.test(u))
			return rq.continue();
		requests.push(u);
		rq.abort();
	});
	const t0 = Date.now();
	await page.goto(pathToFileURL(resolve(report)).href, { waitUntil: 'load' });
	await page.waitForFunction(() => window.dtReport && (window.dtReport.ready ||
		document.getElementById('status').className === 'error'), { timeout: 60000 });
	const status = await page.$eval('#status', (e) => e.textContent);
	const summary = await page.$eval('#summary', (e) => e.innerText);
	// The summary gives the report's time zero and warnings.
	const report_ = await page.evaluate(() => window.dtReport.meta.report);
	const said = report_.filter((l) => /^# (time zero|warning)/.test(l))
		.map((l) => l.startsWith('# warning: ') ? l.slice(11) : /^# time zero (\d+ ns)/.exec(l)[1]);
	const unsaid = said.filter((w) => !summary.includes(w));
	result('load', !errors.length && !requests.length && /Kernel/.test(summary) && !/could not/.test(status) &&
	       said.length > 0 && !unsaid.length,
	       errors.length ? errors.slice(0, 3).join(' | ') : requests.length ? 'network: ' + requests[0] :
	       unsaid.length ? 'the summary misses the report\'s ' + JSON.stringify(unsaid) :
	       `"${status}" in ${Date.now() - t0} ms, summary ${summary.split('\n').length} lines, ` +
	       `with the report's time zero and ${said.length - 1} warnings`);

	for (const fn of functions)
		await checkPhase(page, fn);
	await checkZoomAndHover(page);
	await checkStackHover(page);
	await checkPan(page);
	await checkRss(page);
	await checkShot(page);
	if (errors.length)
		result('console', false, errors.slice(0, 3).join(' | '));
} catch (e) {
	result('driver', false, e.stack || String(e));
} finally {
	await browser.close();
}
process.exit(failed ? 1 : 0);

async function checkPhase(page, fn) {
	const rows = await page.$$eval('#phases tr.phase', (rs) => rs.map((r) => r.dataset.report));
	const k = rows.findIndex((line) => (/top: (\S+)/.exec(line) || [])[1] === fn);
	if (k < 0)
		return result('phase:' + fn, false, 'no phase report names it first: ' + rows.join(' / '));
	await page.click(`#phases tr.phase[data-phase="${k}"]`);
	await sleep(200);
	const root = await page.$eval('#tree', (c) => c.dataset.root);
	const title = await page.$eval('#tree-title', (e) => e.textContent);
	const top = await page.$eval('#tree-top', (t) => t.rows[1] ? t.rows[1].cells[0].textContent : '');
	// The table's times count from the text report's time zero.
	const when = await page.$eval(`#phases tr.phase[data-phase="${k}"]`, (r) => r.cells[1].textContent);
	const span = (/\[(\S+) s\]/.exec(rows[k]) || [])[1];
	result('phase:' + fn, root === fn && top === fn && !!span && when.startsWith(span + ' s'),
	       `clicked "${rows[k]}": table time ${when}, tree root ${root}, first function ${top}; "${title}"`);
}

function scales(page) {
	return page.evaluate(() => window.dtReport.charts.map((u) => [u.scales.x.min, u.scales.x.max]));
}

function sameAxes(s) {
	return s.every((x) => Math.abs(x[0] - s[0][0]) < 1e-9 && Math.abs(x[1] - s[0][1]) < 1e-9);
}

function rawGrid(lv) {
	const args = ['-i', record, '--output', 'raw', '--resol', String(lv.columns), String(lv.a_resol),
		      '--time_range', lv.t0, lv.t1, '--address_range', lv.a0, lv.a1];
	const text = execFileSync(heatmap, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
	const cells = [];
	for (const line of text.split('\n')) {
		const [t, a, h] = line.split('\t');
		if (h !== undefined)
			cells.push({ t: Number(t), a: BigInt(a), heat: h === 'NaN' ? NaN : Number(h) });
	}
	return { args, cells };
}

async function finestHeat(page) {
	return page.evaluate(() => {
		const m = window.dtReport.meta, h = m.heat;
		let k = -1;
		m.levels.forEach((l, i) => { if (l.heat) k = i; });
		if (!h || h.pieces || k < 0)
			return null;
		const l = m.levels[k];
		return { k, columns: l.columns, a_resol: h.a_resol, t0: m.t_start_ns, t1: m.t_end_ns,
			 a0: h.start, a1: h.end, t_unit: l.heat.t_unit_ns, a_unit: h.a_unit, span: m.span_s };
	});
}

async function checkZoomAndHover(page) {
	await page.click('#reset');
	await page.$eval('#panel-heat', (e) => e.scrollIntoView({ block: 'center' }));
	const lv = await finestHeat(page);
	if (!lv)
		return result('zoom', false, 'the report has no single-range heatmap to zoom into');
	const raw = rawGrid(lv);
	// Cells by (time cell, address cell), as the page numbers them.
	const cell = new Map();
	for (const c of raw.cells)
		cell.set(Math.round(c.t / lv.t_unit) + ',' + Number(c.a / BigInt(lv.a_unit)), c);
	const at = (i, j) => cell.get(i + ',' + j);
	const warmAt = (i, j) => (at(i, j) || {}).heat > 0;
	// The cell of median heat among those with some (not the largest, which
	// the page's log scale keeps exactly) and whose address neighbours have
	// some too: the address rows are about a pixel tall, so the pointer at
	// a row's centre may land in the next one; whichever cell the page
	// reports, its heat is a real comparison.
	const warm = raw.cells.filter((c) => {
		const i = Math.round(c.t / lv.t_unit), j = Number(c.a / BigInt(lv.a_unit));
		return c.heat > 0 && warmAt(i, j - 1) && warmAt(i, j + 1);
	}).sort((a, b) => a.heat - b.heat);
	const best = warm[Math.floor(warm.length / 2)];
	if (!best)
		return result('hover', false, 'damo-heatmap ' + raw.args.join(' ') + ': no heat');
	const i = Math.round(best.t / lv.t_unit), j = Number(best.a / BigInt(lv.a_unit));
	const before = await scales(page);
	for (let n = 0; n < 40; n++) {
		const p = await page.evaluate((k, i, j) => window.dtReport.cellPoint(k, i, j), lv.k, i, j);
		await page.mouse.move(p.x, p.y);
		await page.mouse.wheel({ deltaY: -400 });
		await sleep(30);
		const w = await page.evaluate((k, i) => {
			const a = window.dtReport.cellPoint(k, i, 0), b = window.dtReport.cellPoint(k, i + 1, 0);
			return { px: b.x - a.x, level: window.dtReport.charts[1].dtLevel };
		}, lv.k, i);
		if (w.level === lv.k && w.px >= 8)
			break;
	}
	const after = await scales(page);
	const narrowed = after[0][1] - after[0][0] < (before[0][1] - before[0][0]) / 2;
	result('zoom', sameAxes(before) && sameAxes(after) && narrowed,
	       `x axes ${fmt(before[0])} -> ${after.map(fmt).join(', ')} (WSS, heatmap, callstacks)`);

	const pt = await page.evaluate((k, i, j) => window.dtReport.cellPoint(k, i, j), lv.k, i, j);
	await page.mouse.move(pt.x, pt.y);
	await sleep(100);
	const tip = await page.$eval('#tip', (e) => ({ text: e.textContent, hidden: e.hidden, ...e.dataset }));
	// The cell the page names: the one pointed at or its address neighbour,
	// checked against damo-heatmap's cell of the same numbers.
	const col = Number(tip.col), row = Number(tip.row), got = at(col, row);
	const near = col === i && Math.abs(row - j) <= 1 && got && got.heat > 0;
	const addr = got ? '0x' + (BigInt(lv.a0) + got.a).toString(16) : '(no such cell)';
	const rel = got ? Math.abs(Number(tip.heat) - got.heat) / got.heat : NaN;
	const ok = !tip.hidden && tip.kind === 'heat' && near && tip.addr === addr && rel < 2e-4 &&
		tip.text.includes(addr);
	result('hover', ok, `pointed at cell (${i}, ${j}) of ${lv.columns} x ${lv.a_resol}, page shows ` +
	       `cell (${col}, ${row}): ${JSON.stringify(tip.text)}; damo-heatmap ` +
	       `${raw.args.slice(2).join(' ')} for it: time ${got ? got.t : '-'} addr ${addr} heat ` +
	       `${got ? got.heat : '-'} (relative difference ${rel.toExponential(2)})`);
}

async function checkStackHover(page) {
	await page.$eval('#panel-flame', (e) => e.scrollIntoView({ block: 'center' }));
	await sleep(100);
	for (const depth of [2, 1, 0]) {
		const b = await page.evaluate((d) => window.dtReport.boxPoint(d), depth);
		if (!b)
			continue;
		await page.mouse.move(b.x, b.y);
		await sleep(100);
		const tip = await page.$eval('#tip', (e) => ({ text: e.textContent, hidden: e.hidden, ...e.dataset }));
		return result('stack', !tip.hidden && tip.kind === 'frame' && tip.symbol === b.symbol &&
			      tip.dso === b.dso && tip.text.includes('DSO ' + (b.dso || '(none)')),
			      `box at depth ${depth + 1} (${b.symbol}, ${b.dso}): page shows ${JSON.stringify(tip.text)}`);
	}
	result('stack', false, 'no flame chart box in view');
}

// The targets' summed RSS of column c of n columns over [t0, t1) (ns, as
// strings): the largest sum read in it, else the last before it; null
// before the first footprint.  From damo-convert's footprint table.
function rssOfColumn(c, n, t0, t1) {
	const text = execFileSync(convert, [record, '--what', 'footprint', '--to', 'csv', '-o', '-'], { encoding: 'utf8' });
	const [head, ...rows] = text.trim().split('\n');
	const col = head.split(',');
	const T = col.indexOf('time_ns'), TG = col.indexOf('target'), RES = col.indexOf('resident');
	const latest = new Map(), span = Number(BigInt(t1) - BigInt(t0));
	let before = null, inside = null;
	for (const line of rows) {
		const f = line.split(','), t = BigInt(f[T]);
		latest.set(f[TG], Number(f[RES]));
		if (t < BigInt(t0) || t >= BigInt(t1))
			continue;
		const sum = [...latest.values()].reduce((a, b) => a + b, 0);
		const at = Math.floor(Number(t - BigInt(t0)) / span * n);
		if (at < c)
			before = sum;
		else if (at === c)
			inside = Math.max(inside === null ? 0 : inside, sum);
	}
	return { rss: inside !== null ? inside : before, rows: rows.length };
}

async function checkRss(page) {
	await page.click('#reset');
	await page.$eval('#panel-wss', (e) => e.scrollIntoView({ block: 'center' }));
	await sleep(100);
	const box = await page.$eval('#panel-wss .u-over', (e) => {
		const r = e.getBoundingClientRect();
		return { x: r.left + r.width * 0.4, y: r.top + r.height / 2 };
	});
	await page.mouse.move(box.x, box.y);
	await sleep(100);
	const tip = await page.$eval('#tip', (e) => ({ text: e.textContent, hidden: e.hidden, ...e.dataset }));
	const page_ = await page.evaluate((k) => {
		const m = window.dtReport.meta, u = window.dtReport.charts[0];
		return { has: m.has_rss, shown: u.series[3].show, columns: m.levels[k].columns,
			 t0: m.t_start_ns, t1: m.t_end_ns };
	}, Number(tip.level || 0));
	if (!wantRss)
		return result('rss', !tip.hidden && tip.kind === 'wss' && !page_.has && !page_.shown &&
			      tip.rss === '' && !/RSS/.test(tip.text),
			      `no footprints: RSS line ${page_.shown ? 'shown' : 'hidden'}, page shows ` +
			      JSON.stringify(tip.text));
	const want = rssOfColumn(Number(tip.col), page_.columns, page_.t0, page_.t1);
	result('rss', !tip.hidden && tip.kind === 'wss' && page_.has && page_.shown && want.rss > 0 &&
	       Number(tip.rss) === want.rss && tip.text.includes('RSS '),
	       `column ${tip.col} of ${page_.columns}: page shows ${JSON.stringify(tip.text)} (${tip.rss} B); ` +
	       `damo-convert --what footprint (${want.rows} rows): ${want.rss} B`);
}

function fmt(s) {
	return `[${s[0].toFixed(3)}, ${s[1].toFixed(3)}]`;
}

async function checkPan(page) {
	const before = await scales(page);
	const box = await page.$eval('#panel-wss .u-over', (e) => {
		const r = e.getBoundingClientRect();
		return { x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width };
	});
	await page.$eval('#panel-wss', (e) => e.scrollIntoView({ block: 'center' }));
	const b2 = await page.$eval('#panel-wss .u-over', (e) => {
		const r = e.getBoundingClientRect();
		return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
	});
	await page.mouse.move(b2.x, b2.y);
	await page.mouse.down();
	await page.mouse.move(b2.x + box.w / 4, b2.y, { steps: 5 });
	await page.mouse.up();
	const after = await scales(page);
	const start = await page.evaluate(() => window.dtReport.meta.start_s);
	const moved = after[0][0] < before[0][0] && Math.abs((after[0][1] - after[0][0]) - (before[0][1] - before[0][0])) < 1e-6;
	result('pan', sameAxes(after) && (moved || before[0][0] === start), `${fmt(before[0])} -> ${after.map(fmt).join(', ')}`);
}

async function checkShot(page) {
	await page.click('#reset');
	await page.evaluate(() => window.scrollTo(0, 0));
	await sleep(200);
	const png = await page.screenshot({ path: shotPath, fullPage: true });
	const stats = await page.evaluate(async (b64) => {
		const img = new Image();
		img.src = 'data:image/png;base64,' + b64;
		await img.decode();
		const c = document.createElement('canvas');
		c.width = img.width;
		c.height = img.height;
		const ctx = c.getContext('2d');
		ctx.drawImage(img, 0, 0);
		const d = ctx.getImageData(0, 0, c.width, c.height).data, colours = new Set();
		let ink = 0;
		for (let i = 0; i < d.length; i += 4 * 7) {
			colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
			if (d[i] + d[i + 1] + d[i + 2] < 720)
				ink++;
		}
		return { w: c.width, h: c.height, colours: colours.size, ink: ink / (d.length / 28) };
	}, Buffer.from(png).toString('base64'));
	const wide = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
	result('screenshot', stats.colours > 50 && stats.ink > 0.05 && wide[0] <= wide[1],
	       `${shotPath}: ${stats.w}x${stats.h}, ${stats.colours} colours, ${(stats.ink * 100).toFixed(1)}% not white, ` +
	       `page ${wide[0]} px wide in a ${wide[1]} px window`);
	readFileSync(shotPath);
}
