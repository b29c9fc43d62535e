/**
 * Mailgun's bot detection, from its documentation
 * (https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/open-click-bot-detect):
 * "When a bot is detected opening or clicking a link in the email, Mailgun will indicate this via
 * the client-info.bot field in the open/click events", with the values `apple` (Apple MPP bot),
 * `gmail` (a Gmail bot), `generic` (an unknown bot, "mostly likely a firewall or anti-virus scan"),
 * and empty: "no bot was detected". The documented example is an `opened` event whose client-info
 * is { client-name unknown, client-type unknown, user-agent "Mozilla/5.0", device-type unknown,
 * client-os unknown, bot "apple" }, recipient bot@apple.com, timestamp 1652883435.279025.
 *
 * Canonical form: a flagged open carries `properties.machine_open: true` (what A/B Analyze and the
 * profile's lastActiveAt already read for SendGrid and Brevo), a flagged click
 * `properties.machine_click: true`; the bot's name is kept as `machine_open_kind` /
 * `machine_click_kind`.
 */
import { canonicalEventErrors } from '../../harness/schema';
import { fixtureBody, normalizeAs } from '../../harness/event-fixtures';

/** The documented bot-detection example, wrapped as a webhook body (`event-data`). */
function documentedBotOpen(): Record<string, unknown> {
	return {
		'event-data': {
			'client-info': {
				'client-name': 'unknown',
				'client-type': 'unknown',
				'user-agent': 'Mozilla/5.0',
				'device-type': 'unknown',
				'client-os': 'unknown',
				bot: 'apple',
			},
			tags: [],
			timestamp: 1652883435.279025,
			recipient: 'bot@apple.com',
			geolocation: { region: 'Unknown', country: 'US', city: 'Unknown' },
			event: 'opened',
		},
	};
}

/** A fixture's event-data with `client-info.bot` set (the key left out when undefined). */
function withBot(fixture: 'opened' | 'clicked', bot: unknown): Record<string, unknown> {
	const body = fixtureBody('mailgun', fixture);
	const data = body['event-data'] as Record<string, unknown>;
	const client = (data['client-info'] ?? {}) as Record<string, unknown>;
	if (bot === undefined) delete client.bot;
	else client.bot = bot;
	data['client-info'] = client;
	return body;
}

describe('Mailgun bot detection (client-info.bot)', () => {
	it('the documented Apple MPP open is an Email Opened with machine_open true, kind "apple"', () => {
		const [e] = normalizeAs('mailgun', documentedBotOpen(), 'error');
		expect(e).toMatchObject({
			event: 'Email Opened',
			email: 'bot@apple.com',
			// 1652883435.279025 s = 2022-05-18T14:17:15.279Z
			timestamp: '2022-05-18T14:17:15.279Z',
			properties: { machine_open: true, machine_open_kind: 'apple' },
			context: { source: 'mailgun', topic: 'opened', userAgent: 'Mozilla/5.0' },
		});
		expect(canonicalEventErrors(e)).toEqual([]);
	});

	it.each(['apple', 'gmail', 'generic'])('an open flagged "%s" is a machine open', (bot) => {
		const [e] = normalizeAs('mailgun', withBot('opened', bot), 'error');
		expect(e.properties).toMatchObject({ machine_open: true, machine_open_kind: bot });
		expect(e.properties).not.toHaveProperty('machine_click');
	});

	it('a click flagged by a bot (e.g. a link scanner, "generic") is an Email Link Clicked with machine_click true', () => {
		const [e] = normalizeAs('mailgun', withBot('clicked', 'generic'), 'error');
		expect(e.event).toBe('Email Link Clicked');
		expect(e.properties).toMatchObject({ machine_click: true, machine_click_kind: 'generic', link_url: 'https://example.com/spring?utm=1' });
		expect(e.properties).not.toHaveProperty('machine_open');
	});

	it('an empty bot field ("no bot was detected") or none: no flag', () => {
		for (const bot of ['', undefined]) {
			const [open] = normalizeAs('mailgun', withBot('opened', bot), 'error');
			const [click] = normalizeAs('mailgun', withBot('clicked', bot), 'error');
			for (const key of ['machine_open', 'machine_open_kind', 'machine_click', 'machine_click_kind']) {
				expect(open.properties).not.toHaveProperty(key);
				expect(click.properties).not.toHaveProperty(key);
			}
		}
	});

	it('only opens and clicks are flagged: a delivered event with a bot field carries no flag', () => {
		const body = fixtureBody('mailgun', 'delivered');
		(body['event-data'] as Record<string, unknown>)['client-info'] = { bot: 'apple' };
		const [e] = normalizeAs('mailgun', body, 'error');
		expect(e.event).toBe('Email Delivered');
		expect(e.properties).not.toHaveProperty('machine_open');
		expect(e.properties).not.toHaveProperty('machine_click');
	});
});
