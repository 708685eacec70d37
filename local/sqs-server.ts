/**
 * SQS for the local stack and the tests: fauxqs's app, listening on 127.0.0.1 only.
 * `startFauxqs` always listens on every interface, which would offer an unauthenticated queue to
 * the network. fauxqs also names queues `http://sqs.<region>.<host>:PORT/…`: with host 127.0.0.1
 * WHATWG `URL` refuses that, and with its default `localhost` the name only resolves where
 * `*.localhost` does. So the URLs callers see are `http://127.0.0.1:PORT/000000000000/<name>`:
 * fauxqs's own are rewritten on the way out, and mapped back on the way in.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { type BuildAppOptions, buildApp } from "fauxqs";
import { awsClientOptions } from "../lib/adapters/aws/aws-clients.js";
import { carryGroupIds, type FauxqsQueue, makeFair } from "./fair-queue.js";

const REGION = "us-east-1";
/** A queue URL as fauxqs writes it, in JSON or XML: `http://sqs.<region>.localhost:PORT/<account>/<name>`. */
const INTERNAL_QUEUE_URL = /http:\/\/sqs\.[a-z0-9-]+\.localhost:\d+(\/[^"<&\s]*)/g;

export interface LocalQueue {
  queueUrl: string;
  queueArn: string;
}

export interface SqsServer {
  /** `http://127.0.0.1:PORT`: the endpoint for SQS clients. */
  url: string;
  createQueue(name: string, attributes?: Record<string, string>): Promise<LocalQueue>;
  stop(): Promise<void>;
}

export interface SqsServerOptions {
  /**
   * Fair queues (default true), as SQS has them: `false` delivers in arrival order whatever the
   * group, as SQS did before fair queues; a benchmark compares the two.
   */
  fairQueues?: boolean;
}

export async function startSqsServer(options: SqsServerOptions = {}): Promise<SqsServer> {
  const sqsStore = await queueStore(options.fairQueues ?? true);
  const app = buildApp({ logger: false, stores: { sqsStore } as unknown as BuildAppOptions["stores"] });
  let url = "";
  /** Our URL of each queue → fauxqs's, learned from the responses that hand the URL out. */
  const internalByPublic = new Map<string, string>();
  app.addHook("onSend", async (_request, _reply, payload) => {
    if (typeof payload !== "string") return payload;
    return payload.replace(INTERNAL_QUEUE_URL, (internal, path: string) => {
      internalByPublic.set(url + path, internal);
      return url + path;
    });
  });
  app.addHook("preHandler", async (request) => {
    const body = request.body as { QueueUrl?: unknown } | undefined;
    if (body && typeof body.QueueUrl === "string") {
      body.QueueUrl = internalByPublic.get(body.QueueUrl) ?? body.QueueUrl;
    }
    const action = String(request.headers["x-amz-target"] ?? "").replace("AmazonSQS.", "");
    if (body && (action === "SendMessage" || action === "SendMessageBatch"))
      carryGroupIds(action, body as Parameters<typeof carryGroupIds>[1]);
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("SQS stand-in has no TCP address");
  url = `http://127.0.0.1:${address.port}`;
  const client = new SQSClient(awsClientOptions(REGION, url));
  return {
    url,
    async createQueue(name, attributes) {
      const { QueueUrl } = await client.send(
        new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
      );
      const { Attributes } = await client.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
      );
      if (!QueueUrl || !Attributes?.QueueArn) throw new Error(`SQS stand-in did not create queue ${name}`);
      return { queueUrl: QueueUrl, queueArn: Attributes.QueueArn };
    },
    async stop() {
      client.destroy();
      await app.close();
    },
  };
}

/**
 * fauxqs's queue store, with every standard queue made fair when `fair`. The store class is not
 * exported, so it is loaded from the fauxqs package folder that Node's resolution would use.
 */
async function queueStore(fair: boolean): Promise<{ createQueue(...args: unknown[]): FauxqsQueue }> {
  const folders = createRequire(import.meta.url).resolve.paths("fauxqs") ?? [];
  const file = folders.map((folder) => join(folder, "fauxqs/dist/sqs/sqsStore.js")).find(existsSync);
  if (file === undefined) throw new Error("SQS stand-in: fauxqs's queue store was not found");
  const { SqsStore } = (await import(pathToFileURL(file).href)) as {
    SqsStore: new () => { createQueue(...args: unknown[]): FauxqsQueue };
  };
  const store = new SqsStore();
  if (!fair) return store;
  const createQueue = store.createQueue.bind(store);
  store.createQueue = (...args) => {
    const queue = createQueue(...args);
    makeFair(queue);
    return queue;
  };
  return store;
}
