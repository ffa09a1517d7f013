import type { StoredRequestRecord } from '../store/request-record.ts';

const columns = [
  'id',
  'time',
  'surface',
  'method',
  'route',
  'model',
  'requestedModel',
  'client',
  'keyFingerprint',
  'attempts',
  'outcome',
  'status',
  'errorClass',
  'errorMessage',
  'latencyMs',
  'firstByteMs',
  'stream',
  'promptTokens',
  'outputTokens',
  'thoughtTokens',
  'cachedTokens',
] as const;

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so a spreadsheet does not run it as a formula. */
function cell(value: unknown): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(records: readonly StoredRequestRecord[]): string {
  const lines = [columns.join(',')];
  for (const record of records) {
    lines.push(
      columns
        .map((column) => {
          if (column === 'time') return cell(new Date(record.time).toISOString());
          if (column === 'attempts')
            return cell(record.attempts.map((attempt) => `${attempt.key}:${attempt.outcome}`).join(' '));
          return cell(record[column]);
        })
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
