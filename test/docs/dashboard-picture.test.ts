/** The dashboard's picture in the docs is drawn from the stack's definition, and stays so. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PICTURE, renderDashboardSvg, synthDashboardBody } from "../../scripts/render-dashboard.js";

describe("docs/images/dashboard.svg", () => {
  it("matches the dashboard the stack defines (regenerate with `npm run docs:dashboard`)", () => {
    const body = synthDashboardBody();
    expect(body.widgets.length).toBeGreaterThanOrEqual(9);
    expect(readFileSync(PICTURE, "utf8")).toBe(renderDashboardSvg(body));
  });
});
