/**
 * SQS for the local stack and the tests: fauxqs's app, listening on 127.0.0.1 only.
 * `startFauxqs` always listens on every interface, which would offer an unauthenticated queue to
 * the network. fauxqs also names queues `http://sqs.<region>.<host>:PORT/…`: with host 127.0.0.1
 * WHATWG `URL` refuses that, and with its default `localhost` the name only resolves where
 * `*.localhost` does. So the URLs callers see are `http://127.0.0.1:PORT/000000000000/<name>`:
 * fauxqs's own are rewritten on the way out, and mapped back on the way in.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { buildApp } from "fauxqs";
import { awsClientOptions } from "../adapters/aws-clients.js";

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

export async function startSqsServer(): Promise<SqsServer> {
  const app = buildApp({ logger: false });
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
