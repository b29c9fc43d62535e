/** Log loss and Brier score of probabilities, against hand-computed values. */
import { calibration } from '../../../nodes/engines/segments/metrics';

describe('calibration metrics', () => {
	it('p = 0.9, 0.2, 0.6, 0.5 for outcomes 1, 0, 0, 1', () => {
		// log loss = -(ln 0.9 + ln 0.8 + ln 0.4 + ln 0.5) / 4 = 1.9379419 / 4; Brier = (0.01 + 0.04 + 0.36 + 0.25) / 4
		const { logLoss, brier } = calibration([0.9, 0.2, 0.6, 0.5], [true, false, false, true]);
		expect(logLoss).toBeCloseTo(0.48448548, 7);
		expect(brier).toBeCloseTo(0.165, 12);
	});

	it('a certain miss is large but finite (p clipped to 1e-15), and no rows give null', () => {
		// p clipped to the double nearest 1 - 1e-15, whose distance to 1 is 9.992e-16: -ln(9.992e-16) = 34.5396
		expect(calibration([1], [0]).logLoss).toBeCloseTo(-Math.log(1 - (1 - 1e-15)), 9);
		expect(calibration([1], [0]).logLoss).toBeCloseTo(34.5396, 4);
		expect(calibration([1], [0]).brier).toBe(1);
		expect(calibration([], [])).toEqual({ logLoss: null, brier: null });
	});
});
