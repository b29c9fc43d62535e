/**
 * One Retry-After reader for every provider (RFC 9110 §10.2.3: delay-seconds or an HTTP-date),
 * in whole seconds rounded up, never negative. Expected values worked out by hand from the dates.
 */
import { retryAfterSeconds } from '../../../nodes/engines/dispatch/util';

// Wed, 21 Oct 2015 07:28:00.500 GMT: half a second past a whole second.
const NOW = Date.UTC(2015, 9, 21, 7, 28, 0, 500);

describe('retryAfterSeconds', () => {
	it('an HTTP-date 29.5 s ahead is 30 s: rounded up, so the retry never comes early', () => {
		expect(retryAfterSeconds({ headers: { 'Retry-After': 'Wed, 21 Oct 2015 07:28:30 GMT' } }, NOW)).toBe(30);
	});

	it('an HTTP-date 0.5 s ahead is 1 s, one in the past is 0', () => {
		expect(retryAfterSeconds({ headers: { 'retry-after': 'Wed, 21 Oct 2015 07:28:01 GMT' } }, NOW)).toBe(1);
		expect(retryAfterSeconds({ headers: { 'retry-after': 'Wed, 21 Oct 2015 07:27:00 GMT' } }, NOW)).toBe(0);
	});

	it('delay-seconds as given; a fraction rounded up; nothing or garbage is undefined', () => {
		expect(retryAfterSeconds({ headers: { 'Retry-After': ' 120 ' } })).toBe(120);
		expect(retryAfterSeconds({ headers: { 'Retry-After': '1.2' } })).toBe(2);
		expect(retryAfterSeconds({ headers: {} })).toBeUndefined();
		expect(retryAfterSeconds({ headers: { 'Retry-After': '' } })).toBeUndefined();
		expect(retryAfterSeconds({ headers: { 'Retry-After': 'soon' } })).toBeUndefined();
	});

});
