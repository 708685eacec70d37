/**
 * The bundled demo workspace served by `npm start` when no NOTION_TOKEN is set.
 * Ids are fixed so that the README can name them. The token is a plain demo value, not a secret.
 */
import type { Clock } from "../lib/core/ports.js";
import {
  block,
  bulleted,
  callout,
  code,
  divider,
  heading1,
  heading2,
  heading3,
  numbered,
  pageMention,
  paragraph,
  quote,
  text,
  toDo,
  toggle,
} from "./notion-blocks.js";
import { NotionWorkspace } from "./notion-workspace.js";

export const DEMO_TOKEN = "demo-token";
export const DEMO_WORKSPACE_ID = "0d3a5e6f-1b2c-4d5e-8f90-a1b2c3d4e5f6";
export const DEMO_WORKSPACE_NAME = "Acme Demo";

export const DEMO_PAGES = {
  handbook: { id: "1a2b3c4d-0001-4000-8000-000000000001", title: "Team handbook" },
  runbook: { id: "1a2b3c4d-0002-4000-8000-000000000002", title: "On-call runbook" },
  faq: { id: "1a2b3c4d-0003-4000-8000-000000000003", title: "Product FAQ" },
} as const;

/** A sub-page of the handbook: not registered by `npm start`; `add <handbook> --recursive` finds it. */
export const DEMO_SUBPAGE = {
  id: "1a2b3c4d-0006-4000-8000-000000000006",
  title: "Onboarding checklist",
  parentPageId: DEMO_PAGES.handbook.id,
} as const;

export const DEMO_DATABASE = {
  id: "1a2b3c4d-0004-4000-8000-000000000004",
  dataSourceId: "1a2b3c4d-0005-4000-8000-000000000005",
  title: "Service catalog",
} as const;

/**
 * When the demo content was "last edited": a fixed time, so a restarted local stack finds its
 * persisted index up to date instead of re-indexing every demo page. Later edits use the real clock.
 */
export const DEMO_EDITED_AT = new Date("2026-01-05T09:30:00.000Z");

export function createDemoWorkspace(clock: Clock = { now: () => new Date() }): NotionWorkspace {
  let building = true;
  const workspace = new NotionWorkspace({
    workspaceName: DEMO_WORKSPACE_NAME,
    clock: { now: () => (building ? DEMO_EDITED_AT : clock.now()) },
  });
  workspace.addPage({ ...DEMO_PAGES.handbook, icon: "📘", blocks: handbookBlocks() });
  workspace.addPage({ ...DEMO_PAGES.runbook, icon: "🚨", blocks: runbookBlocks() });
  workspace.addPage({ ...DEMO_PAGES.faq, icon: "❓", blocks: faqBlocks() });
  workspace.addPage({ ...DEMO_SUBPAGE, icon: "✅", blocks: onboardingBlocks() });
  workspace.addDatabase({
    id: DEMO_DATABASE.id,
    dataSourceId: DEMO_DATABASE.dataSourceId,
    title: DEMO_DATABASE.title,
    columns: { Name: "title", Owner: "rich_text", Tier: "select", Tags: "multi_select", Docs: "url" },
    rows: [
      {
        Name: "Checkout API",
        Owner: "Payments team",
        Tier: "Tier 1",
        Tags: ["payments", "public"],
        Docs: "https://example.com/checkout",
      },
      { Name: "Search indexer", Owner: "Discovery team", Tier: "Tier 2", Tags: ["search", "batch"] },
      { Name: "Email sender", Owner: "Platform team", Tier: "Tier 2", Tags: ["notifications"] },
    ],
  });
  building = false;
  return workspace;
}

function handbookBlocks() {
  return [
    paragraph(
      "Welcome to Acme. This handbook explains how we work together: how we plan, how we ship, how we " +
        "support each other, and what we expect from one another. It is a living document; if something " +
        "here is out of date, fix it or ask in #handbook.",
    ),
    callout("New here? Read the first two sections in your first week, the rest in your first month.", "👋"),
    heading1("How we work"),
    paragraph(
      "We are a remote-first company spread over six time zones. Most of our collaboration is written: " +
        "proposals, decisions and status updates live in Notion, so that anyone can catch up without a " +
        "meeting. Meetings are for discussion and decisions, not for reading documents aloud. Every " +
        "meeting has an agenda shared at least a day in advance, and notes shared within an hour.",
    ),
    heading2("Working hours"),
    paragraph(
      "We keep four core hours, 14:00 to 18:00 UTC, during which everyone is reachable. Outside them, " +
        "plan your day as it suits you and your team. Put your working hours in your calendar and in your " +
        "chat profile so that colleagues know when to expect an answer. Nobody is expected to answer " +
        "messages in the evening or at the weekend unless they are on call.",
    ),
    heading2("Planning"),
    paragraph(
      "Teams plan in six-week cycles followed by a two-week cool-down. At the start of a cycle each team " +
        "writes a short plan: the problems it will work on, why they matter, and how we will know they " +
        "are solved. During cool-down we fix bugs, pay down technical debt and write retrospectives.",
    ),
    numbered("Write the cycle plan and share it for comments.", [
      bulleted("Link every item to the problem statement it addresses."),
      bulleted("Name one owner per item; owners may delegate the work but not the outcome."),
    ]),
    numbered("Review the plans with product and engineering leads."),
    numbered("Publish the final plan in the team's Notion space and announce it in #planning."),
    heading2("Shipping"),
    paragraph(
      "We ship small changes often. Every change goes through code review, continuous integration and a " +
        "staged roll-out behind a feature flag. A change that cannot be rolled back must say so in its " +
        "description and needs a second reviewer. We prefer boring technology: a new language, database " +
        "or framework needs a short written proposal and the agreement of two senior engineers.",
    ),
    bulleted("Keep pull requests under 400 changed lines when you can."),
    bulleted("Write the test first when fixing a bug, so the bug cannot come back unnoticed."),
    bulleted("Deploys happen Monday to Thursday; Friday deploys need a reason.", [
      bulleted("Security fixes are the exception: ship them as soon as they are reviewed."),
    ]),
    heading1("Communication"),
    paragraph(
      "Default to public channels so that knowledge is shared. Direct messages are for personal topics. " +
        "When you ask for help, say what you tried and what you expected. When you answer a question that " +
        "others might have, add the answer to the relevant Notion page and link it.",
    ),
    quote("Write things down. The best answer is the one nobody has to ask for twice."),
    heading2("Feedback"),
    paragraph(
      "Give feedback early, in private, and about the work rather than the person. Managers hold one-to-one " +
        "meetings every two weeks; use them for career growth, not only for status. Twice a year everyone " +
        "writes a short self-review and receives peer feedback from three colleagues of their choice.",
    ),
    heading1("Time off and wellbeing"),
    paragraph(
      "Everyone takes at least 25 days of holiday a year, plus local public holidays. Tell your team two " +
        "weeks ahead for anything longer than three days and add it to the shared calendar. When you are " +
        "ill, stay home and tell your manager; no doctor's note is needed for the first five days.",
    ),
    toDo("Add your holidays to the team calendar", true),
    toDo("Set your working hours in your chat profile", false),
    toDo("Book your first one-to-one with your manager", false),
    heading3("Equipment"),
    paragraph([
      text(
        "Each new colleague receives a laptop and a home-office budget of 1,000 euros. Order through the ",
      ),
      text("equipment form", { href: "https://example.com/equipment" }),
      text(". Keep receipts; finance reimburses within two weeks. Laptops are replaced every three years."),
    ]),
    divider(),
    paragraph([
      text("For incidents and on-call duties, see the "),
      pageMention(DEMO_PAGES.runbook.id, DEMO_PAGES.runbook.title),
      text("."),
    ]),
  ];
}

function runbookBlocks() {
  return [
    paragraph("What to do when you are paged. Stay calm, communicate often, and write everything down."),
    heading1("When the pager fires"),
    numbered("Acknowledge the page within five minutes."),
    numbered("Open an incident channel named #inc-YYYYMMDD-short-name."),
    numbered("Assess the impact and set the severity:", [
      bulleted("SEV1: customers cannot pay or log in.", [
        bulleted("Page the incident commander and the head of engineering.", [
          bulleted("Post a status page update within 15 minutes."),
        ]),
      ]),
      bulleted("SEV2: a feature is degraded for many customers."),
      bulleted("SEV3: minor impact; handle during working hours."),
    ]),
    numbered("Mitigate first, investigate later: roll back, fail over or disable the feature flag."),
    heading2("Useful commands"),
    code("kubectl -n checkout rollout undo deployment/checkout-api\nkubectl -n checkout get pods -w", "bash"),
    toggle("Database fail-over (only with the database owner)", [
      paragraph("Promote the replica in the console, then update the connection secret."),
      code("aws rds failover-db-cluster --db-cluster-identifier checkout-prod", "bash"),
    ]),
    heading2("Escalation contacts"),
    table(
      ["Severity", "Who", "How"],
      ["SEV1", "Incident commander", "Phone, then #incidents"],
      ["SEV2", "Owning team's on-call", ""],
      ["SEV3", "Owning team", "Ticket"],
    ),
    heading1("After the incident"),
    toDo("Write the post-mortem within three working days", false),
    toDo("File follow-up tickets with owners and dates", false),
    quote("Post-mortems are blameless: we look for causes in systems, not in people."),
  ];
}

function faqBlocks() {
  return [
    heading2("Can I export my data?"),
    paragraph("Yes. Go to Settings → Export and choose CSV or JSON. Exports are ready within an hour."),
    heading2("Which plans include single sign-on?"),
    paragraph("Single sign-on (SAML and OIDC) is part of the Business and Enterprise plans."),
    heading2("How do you store payment details?"),
    callout("We never store card numbers: payments are handled by our payment provider.", "🔒"),
    heading2("Is there an API?"),
    paragraph([
      text("Yes, a REST API with "),
      text("public documentation", { href: "https://example.com/docs/api" }),
      text(". Rate limits are 100 requests per minute per key."),
    ]),
    toggle("Advanced: webhooks", [
      paragraph("Webhooks deliver events within seconds and retry for up to 24 hours."),
      bulleted("Events are signed with HMAC-SHA256."),
      bulleted("Duplicates can happen: make your handler idempotent."),
    ]),
  ];
}

function onboardingBlocks() {
  return [
    callout("Your buddy walks you through this list in your first week.", "🤝"),
    toDo("Get your laptop and accounts", false),
    toDo("Read the team handbook", false),
    toDo("Shadow an on-call shift", false),
    table(
      ["Day", "What", "With"],
      ["Monday", "Accounts and laptop", "IT"],
      ["Wednesday", "Architecture tour", "Your buddy"],
    ),
  ];
}

/** A table with a header row: each row a list of cell texts. */
function table(...rows: string[][]) {
  const cells = (row: string[]) => row.map((cell) => (cell === "" ? [] : [text(cell)]));
  const width = rows[0]?.length ?? 1;
  return block(
    "table",
    { table_width: width, has_column_header: true, has_row_header: false },
    rows.map((row) => block("table_row", { cells: cells(row) })),
  );
}
