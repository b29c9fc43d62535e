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
	it('a slow subject leaves less time for the body', async () => {
		// a loop of ~N iterations; N chosen so that one part takes about half the limit (median of 5 warm runs)
		const loop = (n: number) => `{% for i in (1..${n}) %}{% endfor %}`;
		const probe = await compileTemplate({ format: 'html', body: `<p>${loop(200000)}</p>`, subject: 's', liquid: { renderLimitMs: 100000 } });
		const times: number[] = [];
		for (let k = 0; k < 5; k++) {
			const started = performance.now();
			renderCompiled(probe, {}, { skipText: true });
			times.push(performance.now() - started);
		}
		const ms = times.sort((a, b) => a - b)[2];
		const limit = Math.ceil(ms * 2);
		const part = loop(200000);
		const one = await compileTemplate({ format: 'html', body: `<p>${part}</p><a href="https://x.example/u">Unsubscribe</a>`, subject: 's', preheader: 'p', liquid: { renderLimitMs: limit } });
		expect(() => renderCompiled(one, {}, { skipText: true })).not.toThrow();
		const three = await compileTemplate({ format: 'html', body: `<p>${part}</p><a href="https://x.example/u">Unsubscribe</a>`, subject: `s${part}`, preheader: `p${part}`, liquid: { renderLimitMs: limit } });
		expect(() => renderCompiled(three, {}, { skipText: true })).toThrow(/render limit/);
	}, 60_000);
});
