/**
 * Normalize Event, Custom source, then Customer Profile, through the n8n engine: a Segment-style
 * identify payload (`"type": "identify"` with the user's `traits`,
 * https://segment.com/docs/connections/spec/identify/) mapped with Event Name Path `type` and
 * Properties Path `traits` gives the profile its traits. It was a track event named `identify`
 * carrying them in `properties`, which the profile does not read as traits: Get Profile showed no
 * first name.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { P, runWorkflow } from '../harness/engine';
import { runProfileNode, tempSqliteFile } from '../harness/profile-db';

describe('Normalize Event Custom: identify calls reach the profile as traits', () => {
	it('first_name and plan of an identify call are on the profile', async () => {
		const customMapping = { messageIdPath: 'messageId', timestampPath: 'timestamp', userIdPath: 'userId', emailPath: 'traits.email', propertiesPath: 'traits' };
		const parameters = { source: 'custom', payloadField: 'body', signatureCheck: false, customEventPath: 'type', customMapping } as INode['parameters'];
		const body = { type: 'identify', messageId: 'id-1', timestamp: '2026-01-02T10:00:00Z', userId: 'u-42', traits: { first_name: 'Ann', plan: 'gold', email: 'Ann@Example.com' } };
		const result = await runWorkflow(
			{ nodes: [{ id: 'n', name: 'Normalize Event', type: `${P}normalizeEvent`, typeVersion: 1, position: [0, 0], parameters }], connections: {} },
			{ input: [{ json: { body: body as never } }] },
		);
		expect(result.error).toBeUndefined();
		const events = result.items('Normalize Event').map((i) => i.json);
		expect(events).toHaveLength(1);
		expect(events[0]).toMatchObject({ type: 'identify', event: 'Identify', userId: 'u-42', email: 'ann@example.com', traits: { first_name: 'Ann', plan: 'gold' } });

		const target = { params: { storage: 'sqlite', databaseFile: tempSqliteFile() }, extra: {} };
		const recorded = await runProfileNode(target, 'record', events);
		expect(recorded[0]).toMatchObject({ recorded: { status: 'recorded' } });
		const [got] = await runProfileNode(target, 'get', [{ userId: 'u-42' }]);
		expect((got.profile as IDataObject).traits).toMatchObject({ first_name: 'Ann', plan: 'gold' });
	});
});
