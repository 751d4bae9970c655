// Plain rows (any JSON object per record): the parent dataset of templated sources.
import type { ByteSource } from '../io/byte-source';
import type { JsonRecordOptions } from './json-records';
import { parseJsonRecords } from './json-records';
import type { EventStream } from './events';
import type { RowRecord } from './types';

/** Every object of a JSONL or JSON-array file, as is. */
export function parseRows(source: ByteSource, opts: JsonRecordOptions = {}): EventStream<RowRecord> {
  return parseJsonRecords(source, (values, ctx) => ({ kind: 'row' as const, values, src: ctx.src }), opts);
}
