/** Log loss and Brier score of probabilities, against hand-computed values. */
import { calibration } from '../../../nodes/engines/segments/metrics';

describe('calibration metrics', () => {
	it('p = 0.9, 0.2, 0.6, 0.5 for outcomes 1, 0, 0, 1', () => {
		// log loss = -(ln 0.9 + ln 0.8 + ln 0.4 + ln 0.5) / 4 = 1.9379419 / 4; Brier = (0.01 + 0.04 + 0.36 + 0.25) / 4
		const { logLoss, brier } = calibration([0.9, 0.2, 0.6, 0.5], [true, false, false, true]);
		expect(logLoss).toBeCloseTo(0.48448548, 7);
		expect(brier).toBeCloseTo(0.165, 12);
	});

	it("scikit-learn's log_loss documentation example: 0.21616", () => {
		// log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]) = 0.21616...
		// (scikit-learn docs, sklearn.metrics.log_loss): P(spam) = 0.9, 0.1, 0.2, 0.65 for spam, ham, ham, spam
		// = -(ln 0.9 + ln 0.9 + ln 0.8 + ln 0.65) / 4 = (0.1053605 · 2 + 0.2231436 + 0.4307829) / 4 = 0.2161619
		expect(calibration([0.9, 0.1, 0.2, 0.65], [true, false, false, true]).logLoss).toBeCloseTo(0.2161619, 7);
	});

	it('a certain miss is large but finite (p clipped to 1e-15), and no rows give null', () => {
		// p clipped to the double nearest 1 - 1e-15, whose distance to 1 is 9.992e-16: -ln(9.992e-16) = 34.5396.
		// scikit-learn's log_loss before 1.2 (eps=1e-15) does the same: np.clip(y_pred, eps, 1 - eps), then 1 - y_pred.
		// A certain hit the other way: p = 0 for outcome 1 is clipped to 1e-15 exactly, -ln(1e-15) = 34.538776
		expect(calibration([0], [1]).logLoss).toBeCloseTo(34.538776, 6);
		expect(calibration([1], [0]).logLoss).toBeCloseTo(-Math.log(1 - (1 - 1e-15)), 9);
		expect(calibration([1], [0]).logLoss).toBeCloseTo(34.5396, 4);
		expect(calibration([1], [0]).brier).toBe(1);
		expect(calibration([], [])).toEqual({ logLoss: null, brier: null });
	});
});
