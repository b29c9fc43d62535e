/**
 * A local SMTP inbox for test sends: an SMTP server (smtp-server) that accepts every message,
 * parses it (mailparser) and keeps it, plus a small HTTP page to read what arrived.
 *
 *   node scripts/inbox.js [--smtp-port 2525] [--http-port 5681] [--dir .n8n-runtime/inbox]
 *
 * HTTP:  GET /            an HTML list of received mails (newest first), links to each
 *        GET /api/messages JSON array of parsed mails (to, from, subject, headers, text, html)
 *        GET /messages/N   the HTML body of mail N as it was sent
 *        DELETE /api/messages  empties the inbox
 * Every mail is also written to <dir>/<n>.json (parsed) and <n>.eml (raw), so it survives a restart.
 *
 * Plain JavaScript on purpose: `npm start` runs it without a build step.
 */
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { SMTPServer } = require('smtp-server');
const { simpleParser } = require('mailparser');

function escapeHtml(s) {
	return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** Flattens mailparser's header map into plain strings (lower-case names). */
function headerObject(parsed) {
	const out = {};
	for (const line of parsed.headerLines || []) {
		const idx = line.line.indexOf(':');
		const value = line.line.slice(idx + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
		out[line.key] = out[line.key] === undefined ? value : `${out[line.key]}, ${value}`;
	}
	return out;
}

/**
 * Starts the inbox. Returns { smtpPort, httpPort, messages, clear(), close() }.
 * `messages` is the live array of parsed mails (also readable over HTTP).
 */
async function startInbox({ smtpPort = 2525, httpPort = 5681, host = '127.0.0.1', dir } = {}) {
	const messages = [];
	if (dir) {
		fs.mkdirSync(dir, { recursive: true });
		const files = fs.readdirSync(dir).filter((f) => /^\d+\.json$/.test(f)).sort((a, b) => parseInt(a) - parseInt(b));
		for (const f of files) {
			try {
				messages.push(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
			} catch {
				/* a half-written file from a crash: skip it */
			}
		}
	}
	let nextId = messages.reduce((m, x) => Math.max(m, x.id), 0) + 1;

	const smtp = new SMTPServer({
		authOptional: true,
		allowInsecureAuth: true,
		disabledCommands: ['STARTTLS'],
		logger: false,
		banner: 'n8n-nodes-personalization local inbox',
		// Accept any user/password: the pre-created credential uses one, real SMTP servers need one.
		onAuth(auth, _session, cb) {
			cb(null, { user: auth.username || 'local' });
		},
		onData(stream, session, cb) {
			const chunks = [];
			stream.on('data', (c) => chunks.push(c));
			stream.on('end', async () => {
				const raw = Buffer.concat(chunks);
				try {
					const parsed = await simpleParser(raw);
					const mail = {
						id: nextId++,
						receivedAt: new Date().toISOString(),
						envelope: {
							from: session.envelope.mailFrom && session.envelope.mailFrom.address,
							to: session.envelope.rcptTo.map((r) => r.address),
						},
						from: parsed.from ? parsed.from.text : undefined,
						to: parsed.to ? (Array.isArray(parsed.to) ? parsed.to.map((t) => t.text).join(', ') : parsed.to.text) : undefined,
						subject: parsed.subject,
						messageId: parsed.messageId,
						headers: headerObject(parsed),
						text: parsed.text,
						html: typeof parsed.html === 'string' ? parsed.html : undefined,
						size: raw.length,
					};
					messages.push(mail);
					if (dir) {
						fs.writeFileSync(path.join(dir, `${mail.id}.eml`), raw);
						fs.writeFileSync(path.join(dir, `${mail.id}.json`), JSON.stringify(mail, null, 2));
					}
					cb();
				} catch (error) {
					cb(error);
				}
			});
		},
	});
	await new Promise((resolve, reject) => {
		smtp.once('error', reject);
		smtp.listen(smtpPort, host, resolve);
	});
	const actualSmtpPort = smtp.server.address().port;

	const clear = () => {
		messages.length = 0;
		if (dir) for (const f of fs.readdirSync(dir)) if (/^\d+\.(json|eml)$/.test(f)) fs.rmSync(path.join(dir, f));
	};

	const web = http.createServer((req, res) => {
		const url = new URL(req.url, 'http://localhost');
		if (url.pathname === '/api/messages' && req.method === 'GET') {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify(messages));
			return;
		}
		if (url.pathname === '/api/messages' && req.method === 'DELETE') {
			clear();
			res.writeHead(204).end();
			return;
		}
		const one = /^\/messages\/(\d+)$/.exec(url.pathname);
		if (one) {
			const mail = messages.find((m) => m.id === Number(one[1]));
			if (!mail) return void res.writeHead(404).end('not found');
			// The mail's own HTML, sandboxed so scripts in a hostile mail cannot run here.
			res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': 'sandbox' });
			res.end(mail.html ?? `<pre>${escapeHtml(mail.text)}</pre>`);
			return;
		}
		if (url.pathname === '/') {
			const rows = [...messages]
				.reverse()
				.map(
					(m) =>
						`<tr><td>${m.id}</td><td>${escapeHtml(m.receivedAt)}</td><td>${escapeHtml(m.to)}</td><td><a href="/messages/${m.id}">${escapeHtml(m.subject)}</a></td><td>${escapeHtml(m.headers['list-unsubscribe'] ? 'yes' : '')}</td></tr>`,
				)
				.join('');
			res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
			res.end(
				`<!doctype html><meta charset="utf-8"><title>Local inbox</title><style>body{font:14px system-ui;margin:2em}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}</style>` +
					`<h1>Local inbox</h1><p>${messages.length} mail(s) received on SMTP port ${actualSmtpPort}. JSON: <a href="/api/messages">/api/messages</a></p>` +
					`<table><tr><th>#</th><th>received</th><th>to</th><th>subject</th><th>List-Unsubscribe</th></tr>${rows}</table>`,
			);
			return;
		}
		res.writeHead(404).end('not found');
	});
	await new Promise((resolve, reject) => {
		web.once('error', reject);
		web.listen(httpPort, host, resolve);
	});
	const actualHttpPort = web.address().port;

	return {
		smtpPort: actualSmtpPort,
		httpPort: actualHttpPort,
		messages,
		clear,
		close: () =>
			Promise.all([new Promise((r) => smtp.close(r)), new Promise((r) => web.close(r))]).then(() => undefined),
	};
}

module.exports = { startInbox };

if (require.main === module) {
	const arg = (name, dflt) => {
		const i = process.argv.indexOf(`--${name}`);
		return i >= 0 ? process.argv[i + 1] : dflt;
	};
	startInbox({
		smtpPort: Number(arg('smtp-port', 2525)),
		httpPort: Number(arg('http-port', 5681)),
		dir: arg('dir', path.join(__dirname, '..', '.n8n-runtime', 'inbox')),
	}).then(
		(inbox) => {
			console.log(`inbox: SMTP 127.0.0.1:${inbox.smtpPort}, mails at http://127.0.0.1:${inbox.httpPort}/`);
			const stop = () => inbox.close().then(() => process.exit(0));
			process.on('SIGINT', stop);
			process.on('SIGTERM', stop);
		},
		(error) => {
			console.error(`inbox failed to start: ${error.message}`);
			process.exit(1);
		},
	);
}
