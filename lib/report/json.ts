/**
 * JSON output, streamed: the header fields, then `rows` one by one, then `findings`. The
 * document is one JSON object described by schemas/report.schema.json; rows are written one
 * per line so a 10k-row report never exists as one string.
 */
import type { ReportFinding, ReportHeader, ReportRow } from './types';

export async function* jsonReport(header: ReportHeader, rows: AsyncIterable<ReportRow>, findings: () => Promise<ReportFinding[]>): AsyncGenerator<string> {
  const head = JSON.stringify(header, null, 2);
  // Open the object after the header's fields: `{ …header, "rows": [`
  yield `${head.slice(0, -2)},\n  "rows": [`;
  let first = true;
  for await (const r of rows) {
    yield `${first ? '\n' : ',\n'}    ${JSON.stringify(r)}`;
    first = false;
  }
  yield `${first ? '' : '\n  '}],\n  "findings": [`;
  const list = await findings();
  yield list.map((f, i) => `${i ? ',' : ''}\n    ${JSON.stringify(f)}`).join('');
  yield `${list.length ? '\n  ' : ''}]\n}\n`;
}
