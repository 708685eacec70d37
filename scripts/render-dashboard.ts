/**
 * Draws the CloudWatch dashboard's layout as an SVG for the docs, from the dashboard the stack
 * defines (infra/dashboard.ts), never by hand: `npm run docs:dashboard` writes
 * docs/images/dashboard.svg, and a test fails when the picture and the definition disagree.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { readStackConfig } from "../infra/config.js";
import { PROJECT_ROOT } from "../infra/function-defaults.js";
import { NotionIndexSyncStack } from "../infra/stack.js";

export const PICTURE = path.join(PROJECT_ROOT, "docs/images/dashboard.svg");

interface Widget {
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  properties: { title?: string; markdown?: string; query?: string; metrics?: unknown[][] };
}

/** The dashboard body as the synthesized template holds it (tokens such as queue names as «…»). */
export function synthDashboardBody(): { widgets: Widget[] } {
  const outdir = mkdtempSync(path.join(tmpdir(), "nis-dashboard-"));
  try {
    const app = new App({
      outdir,
      context: { "aws:cdk:bundling-stacks": [], pineconeIndexHost: "https://example-index.svc.pinecone.io" },
    });
    const config = readStackConfig(app.node);
    const stack = new NotionIndexSyncStack(app, config.stackName, { config });
    const [dashboard] = Object.values(
      Template.fromStack(stack).findResources("AWS::CloudWatch::Dashboard"),
    ) as {
      Properties: { DashboardBody: { "Fn::Join": [string, unknown[]] } };
    }[];
    const parts = dashboard?.Properties.DashboardBody["Fn::Join"][1] ?? [];
    return JSON.parse(parts.map((part) => (typeof part === "string" ? part : "«ref»")).join(""));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const COLUMN = 40;
const ROW = 28;
const PAD = 6;

/** One line per series: its label, else its metric name. */
function seriesOf(widget: Widget): string[] {
  if (widget.type === "log")
    return ["Logs Insights:", ...(widget.properties.query ?? "").split("|").map((s) => s.trim())];
  if (widget.type === "text") return [];
  return (widget.properties.metrics ?? []).map((entry) => {
    const options = entry[entry.length - 1] as { label?: string; expression?: string } | string;
    if (typeof options === "object" && options.label) return options.label;
    if (typeof options === "object" && options.expression) return options.expression;
    return String(entry[1] ?? "");
  });
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function clip(text: string, width: number): string {
  const fits = Math.floor(width / 6.2);
  return text.length > fits ? `${text.slice(0, fits - 1)}…` : text;
}

/** A title in at most two lines of the widget's width (the second clipped). */
function wrapTitle(title: string, width: number): string[] {
  const fits = Math.floor(width / 7.4);
  if (title.length <= fits) return [title];
  const cut = title.lastIndexOf(" ", fits);
  const at = cut > 0 ? cut : fits;
  return [title.slice(0, at), clip(title.slice(at).trim(), width)];
}

export function renderDashboardSvg(body: { widgets: Widget[] }): string {
  const width = 24 * COLUMN;
  const height = Math.max(...body.widgets.map((w) => (w.y + w.height) * ROW)) + PAD;
  const shapes = body.widgets.map((widget) => {
    const x = widget.x * COLUMN + PAD / 2;
    const y = widget.y * ROW + PAD / 2;
    const w = widget.width * COLUMN - PAD;
    const h = widget.height * ROW - PAD;
    const title =
      widget.properties.title ?? clip((widget.properties.markdown ?? "").replace(/`/g, ""), w - 16);
    const kind = widget.type === "log" ? "log query" : widget.type === "text" ? "text" : "graph";
    const titleLines = kind === "text" ? [clip(title, w - 20)] : wrapTitle(title, w - 20);
    const top = y + 26 + titleLines.length * 16;
    const lines = seriesOf(widget)
      .slice(0, Math.max(0, Math.floor((y + h - 14 - top) / 15)))
      .map(
        (line, at) =>
          `<text x="${x + 10}" y="${top + at * 15}" class="series">${escapeXml(clip(line, w - 20))}</text>`,
      );
    return [
      `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="4" class="${kind === "text" ? "text" : "widget"}"/>`,
      ...titleLines.map(
        (line, at) => `<text x="${x + 10}" y="${y + 20 + at * 16}" class="title">${escapeXml(line)}</text>`,
      ),
      kind === "text"
        ? ""
        : `<text x="${x + w - 10}" y="${y + h - 8}" class="kind" text-anchor="end">${kind}</text>`,
      ...lines,
    ].join("\n  ");
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" role="img" aria-label="The CloudWatch dashboard of notion-index-sync: its widgets and their series">
  <style>
    .widget { fill: #ffffff; stroke: #8d99a8; }
    .text { fill: #f2f3f3; stroke: #c6c6cd; }
    .title { font-size: 13px; font-weight: bold; fill: #16191f; }
    .kind { font-size: 10px; fill: #687078; }
    .series { font-size: 11px; fill: #414750; }
  </style>
  <title>notion-index-sync: the CloudWatch dashboard's layout (drawn from infra/dashboard.ts)</title>
  <rect width="${width}" height="${height}" fill="#fafafa"/>
  ${shapes.join("\n  ")}
</svg>
`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  writeFileSync(PICTURE, renderDashboardSvg(synthDashboardBody()));
  console.log(`wrote ${path.relative(PROJECT_ROOT, PICTURE)}`);
}
