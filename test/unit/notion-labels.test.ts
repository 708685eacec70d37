/** Titles and heading paths are labels: bounded by the text a person reads, not by link markup. */
import type { PageObjectResponse } from "@notionhq/client";
import { describe, expect, it } from "vitest";
import { MAX_LABEL_CHARS } from "../../lib/adapters/notion/extraction/labels.js";
import { pageTitle } from "../../lib/adapters/notion/extraction/properties.js";

const linked = (content: string, url: string) => ({
  type: "text",
  text: { content, link: { url } },
  annotations: {
    bold: false,
    italic: false,
    strikethrough: false,
    underline: false,
    code: true,
    color: "default",
  },
  plain_text: content,
  href: url,
});

describe("labels", () => {
  it("count the plain text of a title, so a long link does not cut it short", () => {
    const words = "x".repeat(MAX_LABEL_CHARS - 10);
    const page = {
      properties: {
        Name: {
          id: "title",
          type: "title",
          title: [linked(words, `https://example.com/${"y".repeat(200)}`)],
        },
      },
    } as unknown as PageObjectResponse;
    expect(pageTitle(page)).toBe(words);
  });
});
