/**
 * The profile CSV (Customer Profile → Export for Scoring → CSV File): per-scope unsubscribes in the
 * `unsubscribedScopes` column, RFC 4180 quoting (https://www.rfc-editor.org/rfc/rfc4180, section 2)
 * and text cells a spreadsheet would run as a formula prefixed with `'`
 * (https://owasp.org/www-community/attacks/CSV_Injection). Expected files are written by hand from
 * the events of each test.
 */
import { flattenProfile, SqliteProfileStore, toCsv } from '../../../nodes/engines/profile';
import type { CanonicalEvent } from '../../../nodes/engines/types/CanonicalEvent';
import type { CustomerProfile } from '../../../nodes/engines/types/CustomerProfile';
import { tempSqliteFile } from '../../harness/profile-db';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
let seq = 0;
function ev(event: string, who: Record<string, string>, minutes: number, properties: Record<string, unknown>, context: Record<string, unknown>): CanonicalEvent {
	return { type: 'track', event, messageId: `csv-${++seq}`, timestamp: at(minutes), receivedAt: at(minutes), properties, context, ...who } as CanonicalEvent;
}

const HEADER =
	'profileId,userId,email,firstSeenAt,lastSeenAt,lastActiveAt,ordersCount,firstOrderAt,lastOrderAt,spentMinor_EUR,' +
	'delivered_30d,opened_30d,clicked_30d,delivered_90d,opened_90d,clicked_90d,last_open_at,last_click_at,' +
	'openCartValue,openCartAt,unsubscribed,unsubscribedScopes,bounced,complained';

describe('profile CSV', () => {
	it('lists the scopes a customer is unsubscribed from now, quoted per RFC 4180, and defuses formulas', async () => {
		const store = new SqliteProfileStore(tempSqliteFile());
		try {
			const a = { userId: 'a1', email: 'a@example.com' };
			const evil = { userId: '=HYPERLINK("http://evil.example","x")' };
			const results = await store.record([
				ev('Order Completed', a, 0, { order_id: 'O-1', total: 12.5, currency: 'EUR' }, { source: 'test' }),
				ev('Unsubscribed', a, 1, { asm_group_id: 42 }, { source: 'sendgrid', topic: 'group_unsubscribe' }),
				ev('Unsubscribed', a, 2, {}, { source: 'postmark', topic: 'SubscriptionChange', stream: 'broadcast' }),
				ev('Resubscribed', a, 3, {}, { source: 'postmark', topic: 'SubscriptionChange', stream: 'broadcast' }),
				ev('Unsubscribed', a, 4, {}, { source: 'postmark', topic: 'SubscriptionChange', stream: 'news;letter' }),
				ev('Unsubscribed', a, 5, { contact_list: 'Promos, "EU"', topics_opted_out: ['sports/weekly'] }, { source: 'ses', topic: 'Subscription' }),
				ev('Unsubscribed', a, 6, {}, { source: 'brevo', topic: 'unsubscribed' }),
				ev('Email Delivered', evil, 1, {}, { source: 'test' }),
			]);
			expect(results.map((r) => r.status)).toEqual(new Array(8).fill('recorded'));
			const idA = results[0].profileId!;
			const idB = results[7].profileId!;
			const byUser = new Map((await store.exportProfiles({ now: new Date(T0 + 86_400_000) })).map((p) => [p.userId, p]));
			const rows = [byUser.get('a1')!, byUser.get(evil.userId)!].map(flattenProfile);
			// Scopes in the profile's order (global, SendGrid group, Postmark stream, SES topic); the
			// resubscribed stream "broadcast" is not listed; `;` and `/` inside a name get a backslash.
			expect(toCsv(rows)).toBe(
				`${HEADER}\r\n` +
					`${idA},a1,a@example.com,2026-01-01T00:00:00.000Z,2026-01-01T00:06:00.000Z,2026-01-01T00:00:00.000Z,1,2026-01-01T00:00:00.000Z,2026-01-01T00:00:00.000Z,1250,` +
					`0,0,0,0,0,0,,,,,true,"global; sendgrid_group:42; postmark_stream:news\\;letter; ses_topic:Promos, ""EU""/sports\\/weekly",false,false\r\n` +
					`${idB},"'=HYPERLINK(""http://evil.example"",""x"")",,2026-01-01T00:01:00.000Z,2026-01-01T00:01:00.000Z,,0,,,,` +
					`1,0,0,1,0,0,,,,,false,,false,false\r\n`,
			);
		} finally {
			await store.close();
		}
	});

	it('writes the legacy flag and an SES contact list, and leaves numbers, booleans and plain text as they are', () => {
		const profile: CustomerProfile = {
			profileId: 'p-1',
			userId: '-7',
			email: '@home@example.com',
			anonymousIds: [],
			firstSeenAt: '2026-01-01T00:00:00.000Z',
			lastSeenAt: '2026-01-02T00:00:00.000Z',
			lastActiveAt: '2026-01-01T12:00:00.000Z',
			ordersCount: 0,
			totalSpentMinor: { USD: -500 },
			engagement: { delivered_30d: 0, opened_30d: 0, clicked_30d: 0, delivered_90d: 0, opened_90d: 0, clicked_90d: 0, last_open_at: null, last_click_at: null },
			recentViews: [],
			recentSearches: [],
			unsubscribed: true,
			subscriptions: [
				{ scope: 'legacy', unsubscribed: true, unsubscribedAt: null, resubscribedAt: null },
				{ scope: 'global', unsubscribed: false, unsubscribedAt: '2026-01-01T00:00:00.000Z', resubscribedAt: '2026-01-01T01:00:00.000Z' },
				{ scope: 'ses_contact_list', contactList: 'C:\\lists', unsubscribed: true, unsubscribedAt: '2026-01-01T00:00:00.000Z', resubscribedAt: null },
			],
			bounced: false,
			complained: true,
			traits: {},
		};
		expect(toCsv([flattenProfile(profile)])).toBe(
			'profileId,userId,email,firstSeenAt,lastSeenAt,lastActiveAt,ordersCount,firstOrderAt,lastOrderAt,spentMinor_USD,' +
				'delivered_30d,opened_30d,clicked_30d,delivered_90d,opened_90d,clicked_90d,last_open_at,last_click_at,' +
				'openCartValue,openCartAt,unsubscribed,unsubscribedScopes,bounced,complained\r\n' +
				// userId "-7" is one plain number, not a formula: written as it is (OWASP's concern is formulas)
				"p-1,-7,'@home@example.com,2026-01-01T00:00:00.000Z,2026-01-02T00:00:00.000Z,2026-01-01T12:00:00.000Z,0,,,-500," +
				'0,0,0,0,0,0,,,,,true,legacy; ses_contact_list:C:\\\\lists,false,true\r\n',
		);
	});

	it('writes a text cell that is one plain decimal number as it is, and still prefixes anything a spreadsheet would evaluate', () => {
		// Hand-written: OWASP CSV Injection (https://owasp.org/www-community/attacks/CSV_Injection) names
		// the first characters = + - @ tab CR; a cell that is only a signed decimal number holds no formula.
		const plain = ['-12', '+12', '-0', '-3.50', '+0.5', '-2e3', '-2E-3', '+1e+10', '-007'];
		const formulas = ['-1+2', '+1-2', '-2e3+1', '-1-1', '+1*3', '-1,5', '-.5', '-1.', '-', '+', '-e3', '-1e', '-0x1F', '-1 ', '-1\n', '-１２', '-2+cmd|\' /C calc\'!A0', '=1', '@SUM(A1)', '\t-1', '\r-1'];
		const quoted = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
		expect(toCsv(plain.map((v) => ({ v })))).toBe(['v', ...plain].join('\r\n') + '\r\n');
		expect(toCsv(formulas.map((v) => ({ v })))).toBe(['v', ...formulas.map((v) => quoted(`'${v}`))].join('\r\n') + '\r\n');
		// Numbers themselves were written as they are already; booleans too.
		expect(toCsv([{ a: -12, b: -2.5, c: false }])).toBe('a,b,c\r\n-12,-2.5,false\r\n');
	});
});
