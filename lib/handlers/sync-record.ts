/** The sync function's per-record work: a unit sync or a sweep. Exported for tests. */
import type { SQSRecord } from "aws-lambda";
import { isSweep, parseSyncMessage } from "../messages.js";
import type { DeadLetterSink, MessagePublisher } from "../ports.js";
import { type SweepResult, sweep } from "../sync/sweep.js";
import { type SyncOptions, type SyncPorts, type SyncResult, syncDocument } from "../sync/sync-document.js";
import { guardRecord } from "./guard-record.js";

export interface SyncRecordPorts extends SyncPorts {
  syncQueue: MessagePublisher;
  deadLetters: DeadLetterSink;
}

export function createSyncRecordHandler(ports: SyncRecordPorts, options: SyncOptions) {
  return async function handleSyncRecord(record: SQSRecord): Promise<SyncResult | SweepResult | undefined> {
    let result: SyncResult | SweepResult | undefined;
    await guardRecord(
      record,
      async (body) => {
        const message = parseSyncMessage(body);
        result = isSweep(message) ? await sweep(ports, message) : await syncDocument(ports, message, options);
      },
      { deadLetters: ports.deadLetters, log: ports.log, source: "sync" },
    );
    return result;
  };
}
