/**
 * Rules with Profile Field "profile" (the README's wiring after Customer Profile → Get Profile), for
 * a customer Get Profile did not find (`profile: null, profileFound: false`), through the n8n
 * engine. Such a customer has no stored profile: no profile fields, and (README, Rules) without a
 * stored profile a missing events list means no events, so the built-in segments are decided
 * from the events, none meaning "no", never undecided. Before, the item failed with
 * `profile field "profile" is missing or not an object`, and without Continue On Fail the run.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { runWorkflow, node } from '../harness/engine';

const NAME = 'Customer Segments';
const items = (rows: IDataObject[]): INodeExecutionData[] => rows.map((json) => ({ json }));

const NO_PLAN = [{ name: 'No Plan', match: 'all', conditions: [{ type: 'trait', field: 'traits.plan', operator: 'notExists' }] }];
const parameters = (profileField: string) => ({
	operation: 'rules',
	presets: ['activeBuyers'],
	definition: 'json',
	segmentsJson: JSON.stringify(NO_PLAN),
	profileField,
	rulesReferenceDate: '2024-01-31T00:00:00Z',
});
const wf = (profileField: string) => ({ nodes: [node(NAME, 'customerSegments', parameters(profileField) as never)], connections: {} });

describe('Customer Segments Rules: a customer Get Profile did not find', () => {
	it('is a customer without profile fields, its built-in segments decided from its events (none: no)', async () => {
		const result = await runWorkflow(wf('profile'), {
			input: items([
				// found: stored profile, 0 orders → Active Buyers decided "no" from it; has a plan
				{ email: 'known@example.com', profileFound: true, profile: { ordersCount: 0, recentViews: [], openCart: null, traits: { plan: 'gold' } } },
				// not found, no events
				{ email: 'new@example.com', profileFound: false, profile: null },
				// not found, with an order 2 days before the Reference Date
				{ email: 'events@example.com', profileFound: false, profile: null, events: [{ event: 'Order Completed', timestamp: '2024-01-29T00:00:00Z' }] },
				// profile field absent, but the item says the profile was not found
				{ email: 'absent@example.com', profileFound: false },
			]),
		});
		expect(result.error).toBeUndefined();
		const out = result.items(NAME).map((i) => i.json);
		expect(out).toHaveLength(4);
		expect(out[0]).toMatchObject({ email: 'known@example.com', segments: [], primary_segment: null, undecided_segments: [] });
		expect(out[1]).toEqual({ email: 'new@example.com', profileFound: false, profile: null, segments: ['No Plan'], primary_segment: 'No Plan' });
		expect(out[2]).toMatchObject({ email: 'events@example.com', segments: ['Active Buyers', 'No Plan'], primary_segment: 'Active Buyers' });
		expect(out[2].undecided_segments).toBeUndefined();
		expect(out[3]).toMatchObject({ email: 'absent@example.com', segments: ['No Plan'], primary_segment: 'No Plan' });
	});

	it('still fails an item whose profile field is missing (a mistyped field name) or not an object', async () => {
		const missing = await runWorkflow(wf('profil'), { input: items([{ email: 'x@example.com', profile: { traits: {} } }]) });
		expect(missing.error?.message).toContain('profile field "profil" is missing or not an object');
		const text = await runWorkflow(wf('profile'), { input: items([{ email: 'x@example.com', profile: 'gold' }]) });
		expect(text.error?.message).toContain('profile field "profile" is missing or not an object');
	});
});
