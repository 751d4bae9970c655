// Parser output: events (records, errors, drops, warnings) produced in batches, one batch per
// chunk read. Iterating an EventStream gives single events; `batches()` gives whole batches,
// which is what DatasetStream reads, so the per-record async cost is paid once, at the end.
import type { Parsed } from './types';

/** A re-openable stream of parser events, readable one by one or in batches. */
export class EventStream<T> implements AsyncIterable<Parsed<T>> {
  constructor(private readonly open: () => AsyncIterable<Parsed<T>[]>) {}

  /** The events in batches (each a chunk's worth, in order). */
  batches(): AsyncIterable<Parsed<T>[]> {
    return this.open();
  }

  /** The events one by one. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Parsed<T>, void, undefined> {
    for await (const batch of this.open()) for (const ev of batch) yield ev;
  }
}

/** Batches of any event source: an EventStream's own, or single events wrapped one per batch. */
export function batchesOf<T>(events: AsyncIterable<Parsed<T>> | EventStream<T>): AsyncIterable<Parsed<T>[]> {
  if (events instanceof EventStream) return events.batches();
  return (async function* () { for await (const ev of events) yield [ev]; })();
}
