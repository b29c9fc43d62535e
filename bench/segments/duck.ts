/** The same RFM computation in DuckDB SQL (quantile score = 1 + floor(B * (RANK() - 1) / n)). */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export async function connect(): Promise<DuckDBConnection> {
	const db = await DuckDBInstance.create(':memory:');
	return db.connect();
}

export function rfmSql(source: string, reference: string, bins = 5): string {
	return `
WITH c AS (
	SELECT customer_id,
		floor((epoch_ms(TIMESTAMP '${reference.replace('Z', '')}') - epoch_ms(max(ts))) / 86400000)::BIGINT AS recency_days,
		count(*) AS frequency,
		sum(amount_minor) AS monetary_minor
	FROM ${source}
	WHERE ts <= TIMESTAMP '${reference.replace('Z', '')}'
	GROUP BY customer_id
), n AS (SELECT count(*) AS n FROM c)
SELECT customer_id, recency_days, frequency, monetary_minor,
	(1 + floor(${bins} * (rank() OVER (ORDER BY recency_days DESC) - 1) / n))::INTEGER AS r,
	(1 + floor(${bins} * (rank() OVER (ORDER BY frequency) - 1) / n))::INTEGER AS f,
	(1 + floor(${bins} * (rank() OVER (ORDER BY monetary_minor) - 1) / n))::INTEGER AS m
FROM c, n`;
}
