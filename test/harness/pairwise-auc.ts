/** Independent AUC for tests: all positive/negative pairs, a tie counts 1/2 (the definition). */
export function pairwiseAuc(scores: number[], labels: boolean[]): number {
	let wins = 0;
	let pairs = 0;
	scores.forEach((s, i) => {
		if (!labels[i]) return;
		scores.forEach((t, j) => {
			if (labels[j]) return;
			pairs++;
			wins += s > t ? 1 : s === t ? 0.5 : 0;
		});
	});
	return wins / pairs;
}
