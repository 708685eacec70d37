import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_MESSAGE_BYTES, parseIndexMessage, parseSyncMessage } from "../../lib/core/messages.js";
import { InvalidMessageError } from "../../lib/shared/errors.js";

describe("sync messages", () => {
  it("accepts a unit sync and a sweep of every scope", () => {
    expect(parseSyncMessage('{"datasetId":"d1","documentId":"doc-1"}')).toEqual({
      datasetId: "d1",
      documentId: "doc-1",
    });
    expect(parseSyncMessage('{"type":"sweep"}')).toEqual({ type: "sweep" });
    expect(parseSyncMessage('{"type":"sweep","tenantId":"t","datasetId":"d"}')).toEqual({
      type: "sweep",
      tenantId: "t",
      datasetId: "d",
    });
  });

  it.each([
    ["not json", /not valid JSON/],
    ["[]", /wrong shape/],
    ['{"datasetId":"d1"}', /documentId/],
    ['{"datasetId":1,"documentId":"x"}', /datasetId/],
    ['{"datasetId":"d","documentId":"a#b"}', /documentId: only letters/],
    ['{"datasetId":"d","documentId":"x","extra":1}', /extra/],
    ['{"type":"purge"}', /type/],
    ['{"type":"sweep","tenantId":""}', /tenantId/],
  ])("refuses %s with a one-line reason", (body, reason) => {
    const error = (() => {
      try {
        parseSyncMessage(body);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InvalidMessageError);
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).not.toContain("\n");
  });

  it("refuses a body over the size limit before parsing it", () => {
    const body = JSON.stringify({ datasetId: "d", documentId: "x".repeat(MAX_MESSAGE_BYTES) });
    expect(() => parseSyncMessage(body)).toThrow(/larger than/);
  });

  it("never throws anything but InvalidMessageError on arbitrary input", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((value) => JSON.stringify(value)),
        ),
        (body) => {
          try {
            parseSyncMessage(body);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidMessageError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("index messages", () => {
  it("needs a positive integer generation", () => {
    expect(parseIndexMessage('{"datasetId":"d","documentId":"x","generation":3}')).toEqual({
      datasetId: "d",
      documentId: "x",
      generation: 3,
    });
    expect(() => parseIndexMessage('{"datasetId":"d","documentId":"x","generation":0}')).toThrow(
      InvalidMessageError,
    );
    expect(() => parseIndexMessage('{"datasetId":"d","documentId":"x","generation":1.5}')).toThrow(
      /generation/,
    );
  });
});
