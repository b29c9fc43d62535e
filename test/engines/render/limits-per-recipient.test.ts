/**
 * Render Time Limit and Memory Limit are one budget per recipient: the subject, preheader and
 * HTML renders share it (before, each part had its own, so a recipient could use three times the
 * budget). Sizes by hand.
 */
import { compileTemplate, renderCompiled, RenderFailure, type TemplateInput } from '../../../nodes/engines/render';

const body = '<html><body><p>{{ s }}</p><a href="https://x.example/u">Unsubscribe</a></body></html>';
const input = (extra: Partial<TemplateInput>): TemplateInput => ({ format: 'html', body, liquid: { memoryLimit: 1000 }, ...extra });
const data = { s: 'a'.repeat(300) };

describe('one memory budget per recipient', () => {
	// a 300-character value: the subject writes it 3 times (900 characters), the HTML once (~380 with its tags)
	it('each part alone fits the limit', async () => {
		const subjectOnly = await compileTemplate(input({ subject: '{{ s }}{{ s }}{{ s }}', body: '<p>x</p><a href="https://x.example/u">Unsubscribe</a>' }));
		const bodyOnly = await compileTemplate(input({ subject: 'Hi' }));
		for (const ct of [subjectOnly, bodyOnly]) expect(() => renderCompiled(ct, data, { skipText: true })).not.toThrow();
	});

	it('subject and HTML together exceed it: the recipient fails on the memory limit', async () => {
		const ct = await compileTemplate(input({ subject: '{{ s }}{{ s }}{{ s }}' }));
		expect(() => renderCompiled(ct, data, { skipText: true })).toThrow(RenderFailure);
		expect(() => renderCompiled(ct, data)).toThrow(/memory limit/);
	});
});

describe('one time budget per recipient', () => {
	// The clock is the engine's own (performance.now, read by liquidjs's render limiter at every loop
	// step and template); here it advances 1 µs per read, so "time" counts the engine's steps and the
	// test does not depend on the machine's speed or load (it measured real time before, and failed
	// on a loaded machine).
	afterEach(() => jest.restoreAllMocks());

	it('a slow subject leaves less time for the body', async () => {
		let clock = 0;
		jest.spyOn(performance, 'now').mockImplementation(() => (clock += 0.001));
		const part = `{% for i in (1..20000) %}{% endfor %}`;
		const page = `<p>${part}</p><a href="https://x.example/u">Unsubscribe</a>`;
		// the body's loop alone, with a limit it cannot reach: how many clock reads one part takes
		const probe = await compileTemplate({ format: 'html', body: page, subject: 's', preheader: 'p', liquid: { renderLimitMs: 1_000_000 } });
		const before = clock;
		renderCompiled(probe, {}, { skipText: true });
		const onePart = clock - before;
		expect(onePart).toBeGreaterThan(10); // > 10,000 reads: the loop is read at every step
		const limit = Math.ceil(onePart * 1.5);
		const one = await compileTemplate({ format: 'html', body: page, subject: 's', preheader: 'p', liquid: { renderLimitMs: limit } });
		expect(() => renderCompiled(one, {}, { skipText: true })).not.toThrow();
		// the same loop in the subject and the preheader too: about three parts' time, over the one budget
		const three = await compileTemplate({ format: 'html', body: page, subject: `s${part}`, preheader: `p${part}`, liquid: { renderLimitMs: limit } });
		expect(() => renderCompiled(three, {}, { skipText: true })).toThrow(/render limit/);
	});
});
