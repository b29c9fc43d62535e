/**
 * Signed unsubscribe links (nodes/engines/events/unsubscribe.ts): the token against HMACs computed
 * outside the code, and the requests the link brings (GET page, RFC 8058 POST, bad token, bad link).
 *
 * Expected tokens were computed independently with Python:
 *   python3 -c "import hmac,hashlib,base64;print(base64.urlsafe_b64encode(hmac.new(b'<secret>',
 *     b'pz-unsubscribe\0'+b'<address>'+b'\0'+b'<scope>',hashlib.sha256).digest()[:16]).rstrip(b'=').decode())"
 * and the first again with openssl:
 *   printf 'pz-unsubscribe\0ada@example.com\0' | openssl dgst -sha256 -hmac s3cr3t-unsub-0123456789 -binary | head -c 16 | base64 | tr '+/' '-_' | tr -d '='
 */
import { execFileSync } from 'node:child_process';
import {
	UNSUBSCRIBE_TOKEN_BYTES,
	confirmPage,
	processUnsubscribe,
	unsubscribeToken,
	unsubscribeUrl,
	verifyUnsubscribeToken,
} from '../../../nodes/engines/events/unsubscribe';

const SECRET = 's3cr3t-unsub-0123456789';
const ADA = 'uKXy94PH50wWUESENWCbBw'; // ada@example.com, global
const ADA_NEWSLETTER = 'Gq5kYb9ucjT67H5kb8Xxaw'; // ada@example.com, scope "newsletter"
const ADA_OTHER_SECRET = 'dfJYXQk2tkpuzi5nsEQheA'; // secret "other-secret-0123456789"
const ADA_PLUS = '2SeBPPhAoyMkqVgOTzrh0Q'; // ada+news@example.com
const receivedAt = new Date('2025-03-04T05:06:07.000Z');

describe('unsubscribe token', () => {
	it('is the first 16 bytes of HMAC-SHA256 over "pz-unsubscribe" NUL address NUL scope, base64url', () => {
		expect(UNSUBSCRIBE_TOKEN_BYTES).toBe(16);
		expect(unsubscribeToken(SECRET, 'ada@example.com')).toBe(ADA);
		expect(unsubscribeToken(SECRET, 'ada@example.com', 'newsletter')).toBe(ADA_NEWSLETTER);
		expect(unsubscribeToken('other-secret-0123456789', 'ada@example.com')).toBe(ADA_OTHER_SECRET);
		expect(unsubscribeToken(SECRET, 'ada+news@example.com')).toBe(ADA_PLUS);
		expect(ADA).toHaveLength(22);
	});

	it('matches openssl where it is installed', () => {
		let out: string;
		try {
			out = execFileSync('sh', ['-c', "printf 'pz-unsubscribe\\0ada@example.com\\0' | openssl dgst -sha256 -hmac s3cr3t-unsub-0123456789 -binary | head -c 16 | base64 | tr '+/' '-_' | tr -d '=\\n'"], { encoding: 'utf8' });
		} catch {
			return; // no openssl: the Python values above stand
		}
		expect(out).toBe(ADA);
	});

	it('signs the trimmed, lower-cased address and the trimmed scope', () => {
		expect(unsubscribeToken(SECRET, '  Ada@Example.COM ')).toBe(ADA);
		expect(unsubscribeToken(SECRET, 'ada@example.com', '  newsletter ')).toBe(ADA_NEWSLETTER);
		expect(unsubscribeToken(SECRET, 'ada@example.com', '')).toBe(ADA);
	});

	it('verifies only the token of that address, scope and secret', () => {
		expect(verifyUnsubscribeToken(SECRET, 'ada@example.com', '', ADA)).toBe(true);
		expect(verifyUnsubscribeToken(SECRET, 'ADA@example.com', '', ADA)).toBe(true);
		expect(verifyUnsubscribeToken(SECRET, 'ada@example.com', 'newsletter', ADA_NEWSLETTER)).toBe(true);
		expect(verifyUnsubscribeToken(SECRET, 'ada@example.com', 'newsletter', ADA)).toBe(false); // global token, other scope
		expect(verifyUnsubscribeToken(SECRET, 'ada@example.com', '', ADA_NEWSLETTER)).toBe(false);
		expect(verifyUnsubscribeToken(SECRET, 'bob@example.com', '', ADA)).toBe(false);
		expect(verifyUnsubscribeToken(SECRET, 'ada@example.com', '', ADA_OTHER_SECRET)).toBe(false);
		expect(verifyUnsubscribeToken(SECRET, 'ada@example.com', '', ADA.slice(0, 21))).toBe(false);
		expect(verifyUnsubscribeToken(SECRET, 'ada@example.com', '', `${ADA}=`)).toBe(false);
		expect(verifyUnsubscribeToken(SECRET, 'ada@example.com', '', undefined)).toBe(false);
		expect(verifyUnsubscribeToken('', 'ada@example.com', '', ADA)).toBe(false);
	});

	it('refuses an empty secret or a non-address without naming them', () => {
		expect(() => unsubscribeToken('', 'ada@example.com')).toThrow('the unsubscribe signing secret is empty');
		expect(() => unsubscribeToken(SECRET, 'not an address')).toThrow('the recipient address is not an email address');
	});

	it('builds the link: e (encoded), t, s; after an existing query, before a fragment', () => {
		expect(unsubscribeUrl('https://n8n.example.com/webhook/abc/unsubscribe', SECRET, 'Ada+News@Example.com')).toBe(
			`https://n8n.example.com/webhook/abc/unsubscribe?e=ada%2Bnews%40example.com&t=${ADA_PLUS}`,
		);
		expect(unsubscribeUrl('https://x.example/u?lang=en#top', SECRET, 'ada@example.com', 'newsletter')).toBe(
			`https://x.example/u?lang=en&e=ada%40example.com&t=${ADA_NEWSLETTER}&s=newsletter#top`,
		);
	});
});

const link = (q: string) => `/webhook/abc/unsubscribe?${q}`;
const form = (body: string) => ({ rawBody: Buffer.from(body), contentType: 'application/x-www-form-urlencoded' });

describe('unsubscribe requests', () => {
	it('GET answers the page with a button that POSTs the same e/t/s, and no event', () => {
		const out = processUnsubscribe({ method: 'GET', query: link(`e=ada%40example.com&t=${ADA}`), secret: SECRET, receivedAt });
		expect(out.kind).toBe('page');
		const html = (out as { html: string }).html;
		expect(html).toContain('<form method="post" action="?e=ada%40example.com&amp;t=' + ADA + '">');
		expect(html).toContain('<strong>ada@example.com</strong>');
	});

	it('escapes the address and scope in the page', () => {
		const html = confirmPage('a<b>"&\'@example.com', 'tok', '<script>');
		expect(html).toContain('a&lt;b&gt;&quot;&amp;&#39;@example.com');
		expect(html).toContain('&lt;script&gt;');
		expect(html).not.toContain('<script>');
	});

	it('POST List-Unsubscribe=One-Click (urlencoded or multipart) gives one Unsubscribed event', () => {
		const one = processUnsubscribe({ method: 'POST', query: link(`e=Ada%40Example.com&t=${ADA}`), ...form('List-Unsubscribe=One-Click'), secret: SECRET, receivedAt });
		expect(one).toEqual({
			kind: 'events',
			events: [
				{
					type: 'track',
					event: 'Unsubscribed',
					messageId: expect.stringMatching(/^unsubscribe-/),
					timestamp: '2025-03-04T05:06:07.000Z',
					receivedAt: '2025-03-04T05:06:07.000Z',
					userId: null,
					anonymousId: null,
					email: 'ada@example.com',
					properties: { how: 'one_click' },
					context: { source: 'unsubscribe', topic: 'one_click' },
				},
			],
		});
		const multipart =
			'--XyZ\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--XyZ--\r\n';
		const two = processUnsubscribe({
			method: 'POST',
			query: link(`e=ada%40example.com&t=${ADA}`),
			rawBody: Buffer.from(multipart),
			contentType: 'multipart/form-data; boundary=XyZ',
			secret: SECRET,
			receivedAt: new Date(receivedAt.getTime() + 60_000),
		});
		expect(two.kind).toBe('events');
		// a later request gets its own messageId (every POST records: an address that resubscribed and
		// unsubscribes again must not be a duplicate of its first unsubscribe); the same instant, the same id
		const id = (o: typeof one) => (o as { events: Array<{ messageId: string }> }).events[0].messageId;
		expect(id(two)).not.toBe(id(one));
	});

	it('the page form (confirm=unsubscribe) unsubscribes, with the scope', () => {
		const out = processUnsubscribe({ method: 'POST', query: link(`e=ada%40example.com&t=${ADA_NEWSLETTER}&s=newsletter`), ...form('confirm=unsubscribe'), secret: SECRET, receivedAt });
		const event = (out as unknown as { events: Array<Record<string, unknown>> }).events[0];
		expect(event.properties).toEqual({ scope: 'newsletter', how: 'confirm_page' });
		expect(event.context).toEqual({ source: 'unsubscribe', topic: 'confirm_page' });
	});

	it('a missing or wrong token is 403; a bad address, a repeated parameter or a POST without the one-click body is 400', () => {
		const status = (method: string, q: string, body = 'List-Unsubscribe=One-Click') => {
			const out = processUnsubscribe({ method, query: link(q), ...form(body), secret: SECRET, receivedAt });
			return out.kind === 'rejected' ? out.status : out.kind;
		};
		expect(status('POST', 'e=ada%40example.com')).toBe(403);
		expect(status('POST', `e=bob%40example.com&t=${ADA}`)).toBe(403);
		expect(status('POST', `e=ada%40example.com&t=${ADA}&s=newsletter`)).toBe(403);
		expect(status('GET', `e=ada%40example.com&t=${ADA_OTHER_SECRET}`)).toBe(403);
		expect(status('POST', `t=${ADA}`)).toBe(400);
		expect(status('POST', `e=nobody&t=${ADA}`)).toBe(400);
		expect(status('POST', `e=ada%40example.com&e=bob%40example.com&t=${ADA}`)).toBe(400);
		expect(status('POST', `e=ada%40example.com&t=${ADA}`, '')).toBe(400);
		expect(status('POST', `e=ada%40example.com&t=${ADA}`, 'List-Unsubscribe=Yes')).toBe(400);
		expect(status('PUT', `e=ada%40example.com&t=${ADA}`)).toBe(405);
	});

	it('an empty secret is our set-up, not the visitor\'s request', () => {
		expect(processUnsubscribe({ method: 'POST', query: link(`e=ada%40example.com&t=${ADA}`), ...form('List-Unsubscribe=One-Click'), secret: '', receivedAt }).kind).toBe('misconfigured');
	});
});
