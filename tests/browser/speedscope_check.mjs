// SPDX-License-Identifier: GPL-2.0-only
// Open a speedscope profile in the real speedscope web app, in headless
// chromium, and report whether it loaded: the page title names the profile,
// a flame graph canvas is drawn, and no error was logged or thrown.
//
// Usage: node speedscope_check.mjs APP_DIR PROFILE EXPECTED_NAME SCREENSHOT.png
// Serves APP_DIR (speedscope's dist/release) and PROFILE on 127.0.0.1,
// loads index.html#profileURL=..., talks to chromium over the DevTools
// protocol (node's own WebSocket where it has one, else the `ws` package
// pinned in tests/npm, $DT_NPM: Debian 12's node 18 has no WebSocket and
// node 20 only behind a flag), writes a screenshot, prints one line
// "ok: ..." or "FAIL: ..." and exits 0 or 1.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, extname, join, normalize } from 'node:path';

const [appDir, profilePath, expectedName, screenshotPath] = process.argv.slice(2);
if (!appDir || !profilePath || !expectedName || !screenshotPath) {
	console.error('usage: speedscope_check.mjs APP_DIR PROFILE EXPECTED_NAME SCREENSHOT');
	process.exit(2);
}
const chromiumPath = process.env.CHROMIUM || 'chromium';
const timeoutMs = Number(process.env.SPEEDSCOPE_TIMEOUT_MS || 45000);

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css',
	'.json': 'application/json', '.png': 'image/png', '.woff2': 'font/woff2',
	'.wasm': 'application/wasm', '.ico': 'image/x-icon', '.txt': 'text/plain' };

const server = createServer((req, res) => {
	const url = new URL(req.url, 'http://127.0.0.1');
	let file;
	if (url.pathname === '/profile/' + basename(profilePath)) file = profilePath;
	else file = join(appDir, normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, ''));
	try {
		if (!statSync(file).isFile()) throw new Error('not a file');
	} catch {
		res.writeHead(404);
		res.end('not found');
		return;
	}
	res.writeHead(200, { 'Content-Type': types[extname(file)] || 'application/octet-stream' });
	createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;
const profileURL = `http://127.0.0.1:${port}/profile/${encodeURIComponent(basename(profilePath))}`;
const pageURL = `http://127.0.0.1:${port}/index.html#profileURL=${encodeURIComponent(profileURL)}`;

const userDir = mkdtempSync(join(tmpdir(), 'dt-chromium-'));
const chromium = spawn(chromiumPath, [
	'--headless', '--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader',
	'--use-angle=swiftshader', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
	'--disable-dev-shm-usage', '--window-size=1280,800', `--user-data-dir=${userDir}`,
	'--remote-debugging-port=0', '--remote-debugging-address=127.0.0.1', 'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe'] });

let finished = false;
function finish(ok, message) {
	if (finished) return;
	finished = true;
	console.log(`${ok ? 'ok' : 'FAIL'}: ${basename(profilePath)}: ${message}`);
	chromium.kill('SIGKILL');
	server.close();
	setTimeout(() => {
		try { rmSync(userDir, { recursive: true, force: true }); } catch { /* still in use */ }
		process.exit(ok ? 0 : 1);
	}, 300);
}
const timer = setTimeout(() => finish(false, `no verdict within ${timeoutMs} ms`), timeoutMs);
chromium.on('exit', (code) => finish(false, `chromium exited (${code})`));

const wsURL = await new Promise((resolve) => {
	let buf = '';
	chromium.stderr.on('data', (d) => {
		buf += d;
		const m = /DevTools listening on (ws:\/\/\S+)/.exec(buf);
		if (m) resolve(m[1]);
	});
});

const npmDir = process.env.DT_NPM || join(import.meta.dirname || '.', '../npm');
const WebSocketClass = globalThis.WebSocket ||
	createRequire(join(npmDir, 'package.json'))('ws').WebSocket;
const ws = new WebSocketClass(wsURL);
await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
let nextId = 1;
const pending = new Map();
const errors = [];
ws.onmessage = (ev) => {
	const msg = JSON.parse(ev.data);
	if (msg.id && pending.has(msg.id)) {
		const { resolve, reject } = pending.get(msg.id);
		pending.delete(msg.id);
		if (msg.error) reject(new Error(msg.error.message));
		else resolve(msg.result);
		return;
	}
	if (msg.method === 'Runtime.exceptionThrown')
		errors.push(`exception: ${msg.params.exceptionDetails.exception?.description || msg.params.exceptionDetails.text}`);
	else if (msg.method === 'Runtime.consoleAPICalled' && ['error', 'assert'].includes(msg.params.type))
		errors.push(`console.${msg.params.type}: ${msg.params.args.map((a) => a.value ?? a.description).join(' ')}`);
	else if (msg.method === 'Log.entryAdded' && msg.params.entry.level === 'error')
		errors.push(`log: ${msg.params.entry.text} ${msg.params.entry.url || ''}`);
	else if (msg.method === 'Page.javascriptDialogOpening') {
		// speedscope reports load failures with alert(): note and dismiss it
		// (an open dialog blocks every evaluation).
		errors.push(`dialog: ${msg.params.message}`);
		send('Page.handleJavaScriptDialog', { accept: true }, msg.sessionId).catch(() => {});
	}
};
function send(method, params = {}, sessionId) {
	const id = nextId++;
	ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
	return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

try {
	const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
	const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
	await send('Runtime.enable', {}, sessionId);
	await send('Log.enable', {}, sessionId);
	await send('Page.enable', {}, sessionId);
	await send('Page.navigate', { url: pageURL }, sessionId);

	const wantTitle = `${expectedName} - speedscope`;
	const evaluate = async (expr) =>
		(await send('Runtime.evaluate', { expression: expr, returnByValue: true }, sessionId)).result.value;
	let title = '';
	for (const start = Date.now(); Date.now() - start < timeoutMs - 5000;) {
		title = await evaluate('document.title');
		if (title === wantTitle || errors.length) break;
		await new Promise((r) => setTimeout(r, 250));
	}
	// Let the flame graph draw, then look at the page.
	await new Promise((r) => setTimeout(r, 1500));
	const page = await evaluate(`(() => {
		const canvases = [...document.querySelectorAll('canvas')];
		return { canvases: canvases.length,
			 drawn: canvases.filter((c) => c.width > 0 && c.height > 0).length,
			 text: document.body.innerText.slice(0, 2000) };
	})()`);
	const shot = await send('Page.captureScreenshot', { format: 'png' }, sessionId);
	writeFileSync(screenshotPath, Buffer.from(shot.data, 'base64'));
	clearTimeout(timer);
	if (errors.length) finish(false, errors.slice(0, 3).join(' | '));
	else if (title !== wantTitle) finish(false, `title "${title}", expected "${wantTitle}"`);
	else if (!page.drawn) finish(false, `no canvas drawn (${page.canvases} canvases)`);
	else if (/something went wrong|failed to load|error/i.test(page.text))
		finish(false, `page says: ${page.text.slice(0, 200)}`);
	else finish(true, `title "${title}", ${page.drawn} canvases drawn, no errors`);
} catch (e) {
	finish(false, `DevTools: ${e.message}`);
}
