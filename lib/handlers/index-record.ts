/** The index function's per-record work. Exported for tests. */
import type { SQSRecord } from "aws-lambda";
import {
  type IndexOptions,
  type IndexPorts,
  type IndexResult,
  indexDocument,
} from "../indexing/index-document.js";
import { parseIndexMessage } from "../messages.js";
import type { DeadLetterSink, MessagePublisher } from "../ports.js";
import { guardRecord } from "./guard-record.js";

export interface IndexRecordPorts extends IndexPorts {
  deadLetters: DeadLetterSink;
  indexQueue: MessagePublisher;
}

export function createIndexRecordHandler(ports: IndexRecordPorts, options: IndexOptions) {
  return async function handleIndexRecord(record: SQSRecord): Promise<IndexResult | undefined> {
    let result: IndexResult | undefined;
    await guardRecord(
      record,
      async (body) => {
        result = await indexDocument(ports, parseIndexMessage(body), options);
      },
      { deadLetters: ports.deadLetters, requeue: ports.indexQueue, log: ports.log, source: "index" },
    );
    return result;
  };
}
