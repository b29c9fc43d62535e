/**
 * Which transport failures prove that nothing was sent (phase 'before': safe to retry, never
 * `unknown`). The errors are the ones Node itself raises, not hand-made objects.
 */
import http from 'node:http';
import { requesterTransport } from '../../../nodes/engines/dispatch/transport';
import { TransportError, type HttpRequestSpec } from '../../../nodes/engines/dispatch/types';

const request: HttpRequestSpec = { method: 'POST', url: 'https://api.example.com/send', headers: {}, body: '{}' };

async function phaseOf(fail: () => unknown): Promise<string> {
	const transport = requesterTransport(async () => {
		fail();
		throw new Error('not reached');
	});
	try {
		await transport(request);
	} catch (error) {
		expect(error).toBeInstanceOf(TransportError);
		return (error as TransportError).phase;
	}
	throw new Error('the transport did not fail');
}

describe('requesterTransport: what proves a request was never sent', () => {
	it('a URL that cannot be parsed (e.g. a bad Custom Endpoint in a signing step): before', async () => {
		expect(await phaseOf(() => new URL('email.eu-west-1 amazonaws com/v2'))).toBe('before');
	});

	it('a header Node refuses to write (a line break in a value): before', async () => {
		expect(await phaseOf(() => http.request('http://127.0.0.1:9/', { headers: { 'x-pz': 'a\nb' } }))).toBe('before');
	});

	it('a header name Node refuses: before', async () => {
		expect(await phaseOf(() => http.request('http://127.0.0.1:9/', { headers: { 'bad name': 'x' } }))).toBe('before');
	});

	it('a connection reset (the request may have been received): after', async () => {
		const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
		expect(await phaseOf(() => {
			throw reset;
		})).toBe('after');
	});
});
