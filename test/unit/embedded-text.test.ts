/** A chunk is embedded after its page's title and heading path; its content stays its own text. */
import { describe, expect, it } from "vitest";
import { embeddedText } from "../../lib/indexing/embedded-text.js";

describe("embedded text", () => {
  it("sets the title and heading path before the content", () => {
    const chunk = { content: "Rotate it every 90 days.", headingPath: ["Secrets", "API keys"] };
    expect(embeddedText(chunk, "Security handbook")).toBe(
      "Security handbook › Secrets › API keys\n\nRotate it every 90 days.",
    );
  });

  it("leaves out what is empty, and adds nothing when there is no context", () => {
    expect(embeddedText({ content: "Text.", headingPath: ["", "Only"] }, " ")).toBe("Only\n\nText.");
    expect(embeddedText({ content: "Text.", headingPath: [] }, "")).toBe("Text.");
  });
});
