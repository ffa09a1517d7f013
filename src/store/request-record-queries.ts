import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type {
  RecordedAttempt,
  RecordFilter,
  StoredRequestRecord,
  UsageDimension,
  UsagePoint,
  UsageTotals,
} from './request-record.ts';

type Row = Record<string, SQLInputValue>;

const text = (value: SQLInputValue | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;
const number = (value: SQLInputValue | undefined): number =>
  typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : 0;

function toRecord(row: Row): StoredRequestRecord {
  let attempts: RecordedAttempt[] = [];
  try {
    attempts = JSON.parse(text(row.attempts) ?? '[]') as RecordedAttempt[];
  } catch {
    attempts = [];
  }
  return {
    id: number(row.id),
    time: number(row.time),
    surface: text(row.surface) ?? '',
    route: text(row.route) ?? '',
    method: text(row.method) ?? '',
    model: text(row.model),
    requestedModel: text(row.requested_model),
    client: text(row.client),
    keyFingerprint: text(row.key_fingerprint),
    attempts,
    outcome: text(row.outcome) ?? '',
    status: number(row.status),
    errorClass: text(row.error_class),
    errorMessage: text(row.error_message),
    latencyMs: number(row.latency_ms),
    firstByteMs: row.first_byte_ms === null ? undefined : number(row.first_byte_ms),
    stream: number(row.stream) === 1,
    promptTokens: number(row.prompt_tokens),
    outputTokens: number(row.output_tokens),
    thoughtTokens: number(row.thought_tokens),
    cachedTokens: number(row.cached_tokens),
  };
}

/** `429`, `4xx`, `5xx` or `error` (>= 400) as a SQL condition on status. */
function statusCondition(status: string, where: string[], parameters: SQLInputValue[]): void {
  const match = /^([1-5])xx$/i.exec(status);
  if (status === 'error') where.push('status >= 400');
  else if (match?.[1] !== undefined) {
    where.push('status >= ? AND status < ?');
    parameters.push(Number(match[1]) * 100, Number(match[1]) * 100 + 100);
  } else if (/^\d{3}$/.test(status)) {
    where.push('status = ?');
    parameters.push(Number(status));
  }
}

/** The request log, newest first, through the indexes on (column, time). */
export function listRecords(database: DatabaseSync, filter: RecordFilter): StoredRequestRecord[] {
  const where: string[] = [];
  const parameters: SQLInputValue[] = [];
  const equal = (column: string, value: string | undefined) => {
    if (value === undefined || value === '') return;
    where.push(`${column} = ?`);
    parameters.push(value);
  };
  if (filter.from !== undefined) {
    where.push('time >= ?');
    parameters.push(filter.from);
  }
  if (filter.to !== undefined) {
    where.push('time < ?');
    parameters.push(filter.to);
  }
  if (filter.before !== undefined) {
    where.push('id < ?');
    parameters.push(filter.before);
  }
  equal('key_fingerprint', filter.key);
  equal('model', filter.model);
  equal('client', filter.client);
  equal('outcome', filter.outcome);
  if (filter.status !== undefined && filter.status !== '') statusCondition(filter.status, where, parameters);
  if (filter.text !== undefined && filter.text !== '') {
    const pattern = `%${filter.text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
    const like = (column: string) => `${column} LIKE ? ESCAPE '\\'`;
    where.push(`(${['route', 'model', 'error_class', 'error_message'].map(like).join(' OR ')})`);
    parameters.push(pattern, pattern, pattern, pattern);
  }
  const limit = Math.min(Math.max(1, filter.limit ?? 100), 10_000);
  const sql = `SELECT * FROM request_record ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY id DESC LIMIT ${limit}`;
  return database
    .prepare(sql)
    .all(...parameters)
    .map((row) => toRecord(row as Row));
}

const sums = `sum(requests) AS requests, sum(errors) AS errors, sum(prompt_tokens) AS prompt,
  sum(output_tokens) AS output, sum(thought_tokens) AS thoughts, sum(cached_tokens) AS cached`;

function toTotals(row: Row): UsageTotals {
  return {
    requests: number(row.requests),
    errors: number(row.errors),
    promptTokens: number(row.prompt),
    outputTokens: number(row.output),
    thoughtTokens: number(row.thoughts),
    cachedTokens: number(row.cached),
  };
}

/** Totals per name since `since` (hour resolution), from the hourly rollup. */
export function usageTotals(
  database: DatabaseSync,
  dimension: UsageDimension | 'all',
  since: number,
): Map<string, UsageTotals> {
  const rows = database
    .prepare(`SELECT name, ${sums} FROM usage_hourly WHERE dimension = ? AND hour >= ? GROUP BY name`)
    .all(dimension, Math.floor(since / 3_600_000) * 3_600_000) as Row[];
  return new Map(rows.map((row) => [text(row.name) ?? '', toTotals(row)]));
}

/** Usage over time: one point per (bucket, name), buckets a whole number of hours. */
export function usageSeries(
  database: DatabaseSync,
  dimension: UsageDimension | 'all',
  from: number,
  bucketMs: number,
): UsagePoint[] {
  const bucket = Math.max(3_600_000, Math.round(bucketMs / 3_600_000) * 3_600_000);
  const rows = database
    .prepare(`SELECT (hour / ?) * ? AS time, name, ${sums} FROM usage_hourly
      WHERE dimension = ? AND hour >= ? GROUP BY time, name ORDER BY time`)
    .all(bucket, bucket, dimension, Math.floor(from / bucket) * bucket) as Row[];
  return rows.map((row) => ({ time: number(row.time), name: text(row.name) ?? '', ...toTotals(row) }));
}

/** Requests and errors per minute since `since`, straight from the records (index on time). */
export function perMinute(
  database: DatabaseSync,
  since: number,
): Array<{ time: number; requests: number; errors: number }> {
  const rows = database
    .prepare(`SELECT (time / 60000) * 60000 AS minute, count(*) AS requests,
      sum(status >= 400) AS errors FROM request_record WHERE time >= ? GROUP BY minute ORDER BY minute`)
    .all(since) as Row[];
  return rows.map((row) => ({
    time: number(row.minute),
    requests: number(row.requests),
    errors: number(row.errors),
  }));
}

export type KeyLastError = { time: number; outcome: string; status: number | undefined };

export function lastErrors(database: DatabaseSync): Map<string, KeyLastError> {
  const rows = database.prepare('SELECT * FROM key_last_error').all() as Row[];
  return new Map(
    rows.map((row) => [
      text(row.fingerprint) ?? '',
      {
        time: number(row.time),
        outcome: text(row.outcome) ?? '',
        status: row.status === null ? undefined : number(row.status),
      },
    ]),
  );
}
