/**
 * ESP Dispatch reads, with its parameters left at their defaults, what the nodes before it write
 * by default (the FIT-1, FIT-2, FIT-3 and FIT-10 cases of node-fit.test.ts), through the real
 * n8n engine. Items are written here by hand in the shapes those nodes document:
 * - Customer Profile → Check Suppression: `suppression: { suppressed, unsubscribed, bounced, complained, known }`
 * - Customer Profile → Get Profile: `profile: { email, unsubscribed, bounced, complained, ... }`
 * - A/B Experiment → Assign: `pz_experiment_id`, `pz_variant` (engines/types/attribution.ts)
 * - Render Email 1.1: `message: { subject, html, text, from: { email, name }, reply_to }`
 * Version 1 keeps what it read before, except the suppression fallback (it only stops sends).
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { node, runWorkflow } from '../harness/engine';
import { usePostmarkServer } from '../harness/postmark-server';

const { server, credentials, sent } = usePostmarkServer();

function dispatch(typeVersion: number, parameters: IDataObject = {}): INode {
	return node('ESP Dispatch', 'espDispatch', { provider: 'postmark', ...parameters } as INode['parameters'], {
		typeVersion,
		credentials: { personalizationPostmarkApi: { id: 'cred-1', name: 'Postmark account' } },
	});
}
const run = (n: INode, list: IDataObject[]) =>
	runWorkflow({ nodes: [n], connections: {} }, { input: list.map((json): INodeExecutionData => ({ json })), credentials: credentials() });

/** The content both versions read by default: top-level for 1, `message` for 1.1. */
const content = (version: number, extra: IDataObject = {}): IDataObject =>
	version === 1 ? { subject: 'Hi', html: '<p>Hi</p>', text: 'Hi', ...extra } : { message: { subject: 'Hi', html: '<p>Hi</p>', text: 'Hi' }, ...extra };

describe('FIT-1: the default Suppressed Field falls back to what Customer Profile writes', () => {
	it.each([1, 1.1])('version %s: `suppression`, then `profile` are read when the item has no `suppressed`', async (version) => {
		const list = [
			content(version, { email: 'a@example.com', suppression: { suppressed: true, unsubscribed: true, bounced: false, complained: false, known: true } }),
			content(version, { email: 'b@example.com', profile: { email: 'b@example.com', unsubscribed: false, bounced: true, complained: false } }),
			content(version, { email: 'c@example.com', profile: { email: 'c@example.com', unsubscribed: false, bounced: false, complained: true } }),
			// Check Suppression found nothing, but the profile says unsubscribed: not mailed
			content(version, { email: 'd@example.com', suppression: { suppressed: false, unsubscribed: false, bounced: false, complained: false, known: false }, profile: { email: 'd@example.com', unsubscribed: true } }),
			content(version, { email: 'e@example.com', suppression: { suppressed: false, unsubscribed: false, bounced: false, complained: false, known: true }, profile: { email: 'e@example.com', unsubscribed: false, bounced: false, complained: false } }),
			content(version, { email: 'f@example.com', profile: null }),
		];
		const result = await run(dispatch(version, { fromEmail: 'news@shop.example.com' }), list);
		expect(result.error).toBeUndefined();
		expect(result.items('ESP Dispatch').map((i) => [i.json.status, i.json.error ?? null])).toEqual([
			['suppressed', 'recipient is unsubscribed'],
			['suppressed', 'recipient is bounced'],
			['suppressed', 'recipient is complained'],
			['suppressed', 'recipient is unsubscribed'],
			['sent', null],
			['sent', null],
		]);
		expect(sent().map((m) => m.To)).toEqual(['e@example.com', 'f@example.com']);
	});

	it('the default field stops the send when the item\'s own `suppressed` or Customer Profile\'s flags say so; an explicitly set field is read alone', async () => {
		const list = [
			// the item says not suppressed (a CRM), Check Suppression says unsubscribed: not mailed
			content(1.1, { email: 'a@example.com', suppressed: false, suppression: { suppressed: true, unsubscribed: true } }),
			content(1.1, { email: 'b@example.com', suppressed: 'bounced', profile: { unsubscribed: false } }),
			// an unreadable own value with a suppressing profile: suppressed, not failed
			content(1.1, { email: 'x@example.com', suppressed: 'hard_bounce', profile: { bounced: true } }),
			// both say mailable
			content(1.1, { email: 'y@example.com', suppressed: false, suppression: { suppressed: false, unsubscribed: false } }),
		];
		const byDefault = await run(dispatch(1.1, { fromEmail: 'news@shop.example.com' }), list);
		expect(byDefault.error).toBeUndefined();
		expect(byDefault.items('ESP Dispatch').map((i) => [i.json.status, i.json.error ?? null])).toEqual([
			['suppressed', 'recipient is unsubscribed'],
			['suppressed', 'recipient is bounced'],
			['suppressed', 'recipient is bounced'],
			['sent', null],
		]);

		server().reset();
		const explicit = [
			content(1.1, { email: 'c@example.com', optOut: false, suppression: { suppressed: true, unsubscribed: true } }),
			content(1.1, { email: 'd@example.com', profile: { unsubscribed: true } }),
			content(1.1, { email: 'e@example.com', optOut: 'unsubscribed' }),
		];
		const result = await run(dispatch(1.1, { fromEmail: 'news@shop.example.com', suppressionField: 'optOut' }), explicit);
		expect(result.items('ESP Dispatch').map((i) => i.json.status)).toEqual(['sent', 'sent', 'suppressed']);

		server().reset();
		const ignored = await run(dispatch(1.1, { fromEmail: 'news@shop.example.com', suppressionField: '' }), [content(1.1, { email: 'f@example.com', suppression: { unsubscribed: true } })]);
		expect(ignored.items('ESP Dispatch').map((i) => i.json.status)).toEqual(['sent']);
	});
});

describe('FIT-2: To Email 1.1 falls back to the profile\'s address', () => {
	it('version 1.1 sends to `email`, else to `profile.email`', async () => {
		const list = [content(1.1, { profile: { email: 'ada@example.com' } }), content(1.1, { email: 'bo@example.com', profile: { email: 'other@example.com' } })];
		const result = await run(dispatch(1.1, { fromEmail: 'news@shop.example.com' }), list);
		expect(result.error).toBeUndefined();
		expect(sent().map((m) => m.To)).toEqual(['ada@example.com', 'bo@example.com']);
	});

	it('version 1 still reads only `email`', async () => {
		const result = await run(dispatch(1, { fromEmail: 'news@shop.example.com' }), [content(1, { profile: { email: 'ada@example.com' } })]);
		expect(result.nodes['ESP Dispatch'].error?.message).toBe('Item 0: recipient "" is not an email address');
		expect(sent()).toHaveLength(0);
	});
});

describe('FIT-3: Dispatch 1.1 takes the experiment attribution from the item when the options are unset', () => {
	const assigned = { email: 'ada@example.com', experiment: 'spring', variant: 'treatment', pz_experiment_id: 'spring', pz_variant: 'treatment' };

	it('version 1.1 writes the item\'s pz_experiment_id / pz_variant into the metadata; the options win when set', async () => {
		const result = await run(dispatch(1.1, { fromEmail: 'news@shop.example.com' }), [content(1.1, assigned), content(1.1, { email: 'bo@example.com' })]);
		expect(result.error).toBeUndefined();
		const [first, second] = sent();
		expect(first.Metadata).toMatchObject({ pz_experiment_id: 'spring', pz_variant: 'treatment' });
		expect(second.Metadata).not.toHaveProperty('pz_variant');
		expect(second.Metadata).not.toHaveProperty('pz_experiment_id');

		server().reset();
		await run(dispatch(1.1, { fromEmail: 'news@shop.example.com', options: { experimentId: 'summer', variant: 'control' } }), [content(1.1, assigned)]);
		expect(sent()[0].Metadata).toMatchObject({ pz_experiment_id: 'summer', pz_variant: 'control' });
	});

	it('version 1 reads the options only', async () => {
		await run(dispatch(1, { fromEmail: 'news@shop.example.com' }), [content(1, assigned)]);
		expect(sent()).toHaveLength(1);
		expect(sent()[0].Metadata).not.toHaveProperty('pz_variant');
		expect(sent()[0].Metadata).not.toHaveProperty('pz_experiment_id');
	});
});

describe('FIT-10: Dispatch 1.1 reads the sender and Reply-To Render Email 1.1 writes', () => {
	const rendered = { email: 'ada@example.com', message: { subject: 'Hi', html: '<p>Hi</p>', from: { email: 'news@shop.example.com', name: 'Example Shop' }, reply_to: 'help@shop.example.com' } };

	it('version 1.1 with From Email, From Name and Reply-To left at their defaults', async () => {
		const result = await run(dispatch(1.1), [rendered]);
		expect(result.error).toBeUndefined();
		expect(sent().map((m) => [m.From, m.ReplyTo])).toEqual([['Example Shop <news@shop.example.com>', 'help@shop.example.com']]);
	});

	it('version 1.1: the node\'s own sender and Reply-To option win', async () => {
		await run(dispatch(1.1, { fromEmail: 'team@shop.example.com', fromName: 'Team', options: { replyTo: 'support@shop.example.com' } }), [rendered]);
		expect(sent().map((m) => [m.From, m.ReplyTo])).toEqual([['Team <team@shop.example.com>', 'support@shop.example.com']]);
	});

	it('version 1.1: no sender anywhere is a clear error and nothing is sent', async () => {
		const result = await run(dispatch(1.1), [{ email: 'ada@example.com', message: { subject: 'Hi', html: '<p>Hi</p>' } }]);
		const error = result.nodes['ESP Dispatch'].error;
		expect(error?.message).toBe('Item 0: From Email is empty');
		expect(error?.description).toMatch(/Set From Email in ESP Dispatch, or From Email in Render Email/);
		expect(sent()).toHaveLength(0);
	});

	it('version 1 does not read message.from / message.reply_to', async () => {
		await run(dispatch(1, { fromEmail: 'news@shop.example.com' }), [{ ...rendered, subject: 'Hi', html: '<p>Hi</p>' }]);
		expect(sent().map((m) => [m.From, m.ReplyTo ?? null])).toEqual([['news@shop.example.com', null]]);
	});
});

describe('version 1.1: recipients not to be mailed need no content or sender', () => {
	it('a holdout and an unsuppressed-by-profile item without a rendered message are suppressed, the rendered one is sent', async () => {
		const list: IDataObject[] = [
			{ email: 'a@example.com', is_holdout: true, variant: 'holdout' },
			{ email: 'b@example.com', profile: { email: 'b@example.com', unsubscribed: true } },
			{ email: 'c@example.com', message: { subject: 'Hi', html: '<p>Hi</p>', text: 'Hi', from: { email: 'shop@example.com' } } },
		];
		const result = await run(dispatch(1.1), list);
		expect(result.error).toBeUndefined();
		expect(result.items('ESP Dispatch').map((i) => [i.json.status, i.json.error ?? null])).toEqual([
			['suppressed', 'recipient is in the A/B holdout (no email by design)'],
			['suppressed', 'recipient is unsubscribed'],
			['sent', null],
		]);
		expect(sent().map((m) => m.To)).toEqual(['c@example.com']);
	});
});

describe('Suppressed Field values: 1 stops a send, an unreadable value fails its item', () => {
	it('1 / "1" (a MySQL tinyint or a CSV flag) and flags of 1 are suppressed; false, 0, "no" and nothing are mailed', async () => {
		const list = [
			content(1.1, { email: 'a@example.com', suppressed: 1 }),
			content(1.1, { email: 'b@example.com', suppressed: '1' }),
			content(1.1, { email: 'c@example.com', optOut: { bounced: 1 } }),
			content(1.1, { email: 'd@example.com', suppressed: 0 }),
			content(1.1, { email: 'e@example.com', suppressed: 'no' }),
			content(1.1, { email: 'f@example.com' }),
		];
		const result = await run(dispatch(1.1, { fromEmail: 'news@shop.example.com' }), list.slice(0, 2).concat(list.slice(3)));
		expect(result.error).toBeUndefined();
		expect(result.items('ESP Dispatch').map((i) => [i.json.recipient, i.json.status])).toEqual([
			['a@example.com', 'suppressed'],
			['b@example.com', 'suppressed'],
			['d@example.com', 'sent'],
			['e@example.com', 'sent'],
			['f@example.com', 'sent'],
		]);
		server().reset();
		const flags = await run(dispatch(1.1, { fromEmail: 'news@shop.example.com', suppressionField: 'optOut' }), [list[2]]);
		expect(flags.items('ESP Dispatch').map((i) => [i.json.status, i.json.error])).toEqual([['suppressed', 'recipient is bounced']]);
		expect(sent()).toEqual([]);
	});

	it('a value that says neither ("hard_bounce", 2) fails its item naming the field and the value; Continue On Fail mails the others', async () => {
		const strict = await run(dispatch(1.1, { fromEmail: 'news@shop.example.com' }), [content(1.1, { email: 'a@example.com', suppressed: 'hard_bounce' })]);
		expect(strict.error?.message).toBe('Item 0: Suppressed Field "suppressed" holds "hard_bounce", which says neither suppressed nor mailable');
		expect(sent()).toEqual([]);
		const n = dispatch(1.1, { fromEmail: 'news@shop.example.com' });
		n.onError = 'continueRegularOutput';
		const lenient = await run(n, [content(1.1, { email: 'a@example.com', suppressed: 2 }), content(1.1, { email: 'b@example.com' })]);
		const out = lenient.items('ESP Dispatch');
		expect(out).toHaveLength(2);
		expect(out[0].json.error).toContain('Item 0: Suppressed Field "suppressed" holds "2"');
		expect(out[0].pairedItem).toEqual({ item: 0 });
		expect(out[1].json).toMatchObject({ recipient: 'b@example.com', status: 'sent' });
		expect(sent().map((m) => m.To)).toEqual(['b@example.com']);
	});
});

describe('Suppressed Field values from sheets and CSV files: Y / N, and flags written as text', () => {
	it('"Y" and "y" stop the send and "N" mails (a Y/N column); an object flag "true", "1" or "yes" stops it as true does', async () => {
		const list = [
			content(1.1, { email: 'a@example.com', suppressed: 'Y' }),
			content(1.1, { email: 'b@example.com', suppressed: 'y' }),
			content(1.1, { email: 'c@example.com', suppressed: 'N' }),
		];
		const result = await run(dispatch(1.1, { fromEmail: 'news@shop.example.com' }), list);
		expect(result.error).toBeUndefined();
		expect(result.items('ESP Dispatch').map((i) => [i.json.recipient, i.json.status])).toEqual([
			['a@example.com', 'suppressed'],
			['b@example.com', 'suppressed'],
			['c@example.com', 'sent'],
		]);
		server().reset();
		const flags = [
			content(1.1, { email: 'd@example.com', optOut: { unsubscribed: 'true' } }),
			content(1.1, { email: 'e@example.com', optOut: { bounced: '1' } }),
			content(1.1, { email: 'f@example.com', optOut: { suppressed: 'Yes' } }),
			content(1.1, { email: 'g@example.com', optOut: { unsubscribed: 'false', bounced: '0' } }),
		];
		const read = await run(dispatch(1.1, { fromEmail: 'news@shop.example.com', suppressionField: 'optOut' }), flags);
		expect(read.items('ESP Dispatch').map((i) => [i.json.status, i.json.error ?? null])).toEqual([
			['suppressed', 'recipient is unsubscribed'],
			['suppressed', 'recipient is bounced'],
			['suppressed', 'recipient is suppressed'],
			['sent', null],
		]);
		expect(sent().map((m) => m.To)).toEqual(['g@example.com']);
	});

	it('version 1 reads them the same way', async () => {
		const result = await run(dispatch(1, { fromEmail: 'news@shop.example.com' }), [
			content(1, { email: 'a@example.com', suppressed: 'Y' }),
			content(1, { email: 'b@example.com', suppressed: 'n' }),
			content(1, { email: 'c@example.com', suppression: { suppressed: 'true', unsubscribed: 'TRUE' } }),
		]);
		expect(result.error).toBeUndefined();
		expect(result.items('ESP Dispatch').map((i) => i.json.status)).toEqual(['suppressed', 'sent', 'suppressed']);
	});
});
