/**
 * Odd Notion payloads for fuzzing: blocks of known and unknown types whose fields are missing, null,
 * of the wrong type, huge, deeply nested or not well-formed UTF-16 (lone surrogates); rich text of
 * every odd shape; tables with ragged rows; database rows whose properties have the wrong types.
 * Blocks are BlockSpecs, which the Notion stand-in serves as they are (local/notion-workspace.ts's
 * `block`) and the in-memory reader turns into raw block objects.
 */
import fc from "fast-check";
import type { BlockSpec } from "../../local/notion-blocks.js";
import { oddString } from "./message-arbitraries.js";

// ---------------------------------------------------------------- text and odd values

/** Text up to Notion's size and beyond: odd characters, lone surrogates, long runs, huge blocks. */
export const oddText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: oddString, weight: 40 },
  { arbitrary: fc.lorem({ maxCount: 30 }), weight: 12 },
  {
    arbitrary: fc.constantFrom("", " ", "\n\n\n", "\t", "|", "```", "# not a heading", "\u0000", "\ud800"),
    weight: 8,
  },
  {
    // An unbroken run (one pre-token for the tokenizer): up to 24,000 characters.
    arbitrary: fc
      .tuple(
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 }),
        fc.integer({ min: 100, max: 3_000 }),
      )
      .map(([unit, times]) => unit.repeat(times)),
    weight: 1,
  },
);

/** Anything JSON can carry in a field that should hold something else. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, 2 ** 53, "", "x", [], {}, [null], { a: 1 }),
  fc.jsonValue({ maxDepth: 3 }),
  oddString,
);

const PLAIN = {
  bold: false,
  italic: false,
  strikethrough: false,
  underline: false,
  code: false,
  color: "default",
};

const annotations: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constant(PLAIN), weight: 3 },
  {
    arbitrary: fc.record({
      bold: fc.boolean(),
      italic: fc.boolean(),
      strikethrough: fc.boolean(),
      underline: fc.boolean(),
      code: fc.oneof(fc.boolean(), oddValue),
      color: fc.oneof(fc.constantFrom("default", "red_background"), oddString),
    }),
    weight: 2,
  },
  { arbitrary: oddValue, weight: 1 },
);

/** A rich text item: well-shaped text, equation or mention, or one of an odd shape. */
const richTextItem: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc
      .record({ content: oddText, href: fc.option(oddString, { nil: null }), annotations })
      .map(({ content, href, annotations }) => ({
        type: "text",
        text: { content, link: href === null ? null : { url: href } },
        annotations,
        plain_text: content,
        href,
      })),
    weight: 6,
  },
  {
    arbitrary: oddText.map((expression) => ({
      type: "equation",
      equation: { expression },
      annotations: PLAIN,
      plain_text: expression,
      href: null,
    })),
    weight: 1,
  },
  {
    arbitrary: fc.record({ plain_text: oddText, annotations }).map((item) => ({
      type: "mention",
      mention: { type: "user", user: { object: "user", id: "u" } },
      href: null,
      ...item,
    })),
    weight: 1,
  },
  {
    arbitrary: fc.oneof(
      oddValue,
      fc.constantFrom({ type: "text" }, { type: "text", text: null }, { type: "equation" }, { type: 7 }),
      fc.record({
        type: fc.constant("text"),
        text: fc.record({ content: oddValue, link: oddValue }),
        plain_text: oddValue,
      }),
      fc.record({ type: oddString, plain_text: fc.oneof(oddText, oddValue) }),
    ),
    weight: 2,
  },
);

/** A rich text array as Notion sends it, or null, absent, of the wrong type, or huge. */
export const richText: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.array(richTextItem, { maxLength: 6 }), weight: 200 },
  { arbitrary: fc.constantFrom(null, undefined, "text", {}, 5, [[]]), weight: 40 },
  {
    // Notion's own ceiling: 100 items of 2,000 characters (words, so that the text is cut inside).
    arbitrary: fc.tuple(fc.integer({ min: 1, max: 100 }), fc.lorem({ maxCount: 3 })).map(([items, words]) =>
      Array.from({ length: items }, (_, index) => {
        const content = `${index} ${`${words} `.repeat(Math.ceil(2_000 / (words.length + 1)))}`.slice(
          0,
          2_000,
        );
        return {
          type: "text",
          text: { content, link: null },
          annotations: PLAIN,
          plain_text: "",
          href: null,
        };
      }),
    ),
    weight: 1,
  },
);

// ---------------------------------------------------------------- blocks

export const KNOWN_TYPES = [
  "paragraph",
  "heading_1",
  "heading_2",
  "heading_3",
  "heading_4",
  "bulleted_list_item",
  "numbered_list_item",
  "to_do",
  "toggle",
  "quote",
  "callout",
  "code",
  "equation",
  "divider",
  "bookmark",
  "embed",
  "link_preview",
  "image",
  "video",
  "pdf",
  "audio",
  "file",
  "child_page",
  "child_database",
  "link_to_page",
  "synced_block",
  "column_list",
  "column",
  "table",
  "table_row",
  "breadcrumb",
  "table_of_contents",
  "unsupported",
] as const;

const blockType: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...KNOWN_TYPES), weight: 12 },
  {
    arbitrary: fc.constantFrom("__proto__", "constructor", "toString", "ai_block", "tab", "meeting_notes"),
    weight: 1,
  },
  { arbitrary: oddString.filter((type) => type !== ""), weight: 1 },
);

const uuid = fc.uuid();

/** Every field some block type reads, each well-shaped, odd or absent. */
const blockContent: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  {
    arbitrary: fc.record(
      {
        rich_text: richText,
        caption: richText,
        checked: fc.oneof(fc.boolean(), oddValue),
        language: fc.oneof(fc.constantFrom("plain text", "bash", "typescript"), oddValue),
        expression: fc.oneof(oddText, oddValue),
        url: fc.oneof(fc.webUrl(), oddValue),
        name: fc.oneof(oddText, oddValue),
        title: fc.oneof(oddText, oddValue),
        icon: fc.oneof(
          fc.record({ type: fc.constant("emoji"), emoji: fc.oneof(oddString, oddValue) }),
          fc.record({
            type: fc.constant("custom_emoji"),
            custom_emoji: fc.oneof(fc.record({ name: oddValue }), oddValue),
          }),
          oddValue,
        ),
        list_start_index: fc.oneof(
          fc.integer(),
          fc.constantFrom(0, -1, 1e9, 1e308, 2 ** 53, 1.5, "3", null, 3999, 4000),
        ),
        list_format: fc.oneof(fc.constantFrom("numbers", "letters", "roman"), oddValue),
        table_width: fc.oneof(
          fc.integer({ min: -5, max: 10 }),
          fc.constantFrom(1e9, 2 ** 31, 1e308, null, "3"),
        ),
        has_column_header: fc.oneof(fc.boolean(), oddValue),
        cells: fc.oneof(fc.array(richText, { maxLength: 6 }), oddValue),
        synced_from: fc.oneof(
          fc.constant(null),
          fc.record({ type: fc.constant("block_id"), block_id: fc.oneof(uuid, oddValue) }),
          oddValue,
        ),
        type: fc.constantFrom("page_id", "database_id", "comment_id", "external", "file", "odd"),
        page_id: fc.oneof(uuid, oddValue),
        database_id: fc.oneof(uuid, oddValue),
        external: fc.oneof(fc.record({ url: fc.oneof(fc.webUrl(), oddValue) }), oddValue),
        file: fc.oneof(
          fc.record({ url: fc.webUrl(), expiry_time: fc.constant("2030-01-01T00:00:00.000Z") }),
          oddValue,
        ),
      },
      { requiredKeys: [] },
    ),
    weight: 12,
  },
  // Not an object at all: the stand-in serves `"paragraph": null` and so on.
  {
    arbitrary: fc.constantFrom(null, [], "content", 3) as fc.Arbitrary<unknown> as fc.Arbitrary<
      Record<string, unknown>
    >,
    weight: 1,
  },
);

function spec(type: string, content: Record<string, unknown>, children: BlockSpec[]): BlockSpec {
  const served = type === "synced_block" ? servableSyncedBlock(content) : content;
  return children.length === 0 ? { type, content: served } : { type, content: served, children };
}

/**
 * The stand-in itself fails (500) on a synced block whose content is not an object, or whose
 * `synced_from.block_id` is there but not a string (reported): those two shapes are left out.
 */
function servableSyncedBlock(content: Record<string, unknown>): Record<string, unknown> {
  if (typeof content !== "object" || content === null) return {};
  const from = content.synced_from as { block_id?: unknown } | null | undefined;
  const broken =
    typeof from === "object" && from !== null && "block_id" in from && typeof from.block_id !== "string";
  return broken ? { ...content, synced_from: null } : content;
}

/** Trees of blocks of any type, a few levels deep. */
const blockTree: fc.Arbitrary<BlockSpec> = fc.letrec<{ node: BlockSpec }>((tie) => ({
  node: fc
    .tuple(
      blockType,
      blockContent,
      fc.oneof(
        { maxDepth: 3, depthIdentifier: "blocks" },
        fc.constant<BlockSpec[]>([]),
        fc.array(tie("node"), { maxLength: 4 }),
      ),
    )
    .map(([type, content, children]) => spec(type, content, children)),
})).node;

/** A table whose rows have any number of cells (ragged), odd cells included. */
const raggedTable: fc.Arbitrary<BlockSpec> = fc
  .tuple(
    fc.oneof(fc.integer({ min: -1, max: 8 }), fc.constantFrom(1e9, null)),
    fc.oneof(fc.boolean(), oddValue),
    fc.array(fc.oneof(fc.array(richText, { maxLength: 8 }), oddValue), { maxLength: 8 }),
  )
  .map(([width, header, rows]) =>
    spec(
      "table",
      { table_width: width, has_column_header: header, has_row_header: false },
      rows.map((cells) => spec("table_row", { cells }, [])),
    ),
  );

/** A chain of blocks, each the only child of the one before. */
export function deepChain(maxDepth: number): fc.Arbitrary<BlockSpec> {
  return fc
    .tuple(
      fc.integer({ min: 20, max: maxDepth }),
      fc.constantFrom("bulleted_list_item", "toggle", "paragraph", "column", "quote", "mystery_container"),
      oddText,
    )
    .map(([depth, type, text]) => {
      let node = spec(
        "paragraph",
        {
          rich_text: [
            {
              type: "text",
              text: { content: text, link: null },
              annotations: PLAIN,
              plain_text: text,
              href: null,
            },
          ],
        },
        [],
      );
      for (let level = 0; level < depth; level += 1) {
        node = spec(
          type,
          {
            rich_text: [
              {
                type: "text",
                text: { content: `level ${level}`, link: null },
                annotations: PLAIN,
                plain_text: "",
                href: null,
              },
            ],
          },
          [node],
        );
      }
      return node;
    });
}

/** A page's blocks: trees, tables and, now and then, a deep chain. */
export function pageBlocks(maxChainDepth: number): fc.Arbitrary<BlockSpec[]> {
  return fc.array(
    fc.oneof(
      { arbitrary: blockTree, weight: 16 },
      { arbitrary: raggedTable, weight: 2 },
      { arbitrary: deepChain(maxChainDepth), weight: 1 },
    ),
    { maxLength: 8 },
  );
}

// ---------------------------------------------------------------- database rows

const PROPERTY_TYPES = [
  "title",
  "rich_text",
  "select",
  "status",
  "multi_select",
  "date",
  "number",
  "checkbox",
  "url",
  "email",
  "phone_number",
  "people",
  "files",
  "unique_id",
  "formula",
  "relation",
  "rollup",
  "created_time",
  "button",
] as const;

/** A property value of some type whose value is well-shaped, of another type, null or absent. */
export function propertyValue(relatedIds: string[]): fc.Arbitrary<unknown> {
  const named = fc.oneof(fc.record({ name: fc.oneof(oddText, oddValue) }), oddValue);
  const related = relatedIds.length === 0 ? uuid : fc.oneof(fc.constantFrom(...relatedIds), uuid);
  const valueFor: Record<string, fc.Arbitrary<unknown>> = {
    title: richText,
    rich_text: richText,
    select: named,
    status: named,
    multi_select: fc.oneof(fc.array(named, { maxLength: 4 }), oddValue),
    date: fc.oneof(
      fc.record({
        start: fc.oneof(
          fc.date({ noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10)),
          oddValue,
        ),
        end: oddValue,
      }),
      oddValue,
    ),
    number: fc.oneof(fc.double(), oddValue),
    checkbox: fc.oneof(fc.boolean(), oddValue),
    url: fc.oneof(fc.webUrl(), oddValue),
    email: fc.oneof(fc.emailAddress(), oddValue),
    phone_number: fc.oneof(oddString, oddValue),
    people: fc.oneof(fc.array(named, { maxLength: 3 }), oddValue),
    files: fc.oneof(fc.array(named, { maxLength: 3 }), oddValue),
    unique_id: fc.oneof(
      fc.record({ prefix: fc.oneof(oddString, oddValue), number: fc.oneof(fc.integer(), oddValue) }),
      oddValue,
    ),
    formula: fc.oneof(
      fc.record({
        type: fc.constantFrom("string", "number", "boolean", "date", "odd"),
        string: oddValue,
        number: oddValue,
        boolean: oddValue,
        date: oddValue,
      }),
      oddValue,
    ),
    relation: fc.oneof(
      fc.array(
        fc.oneof(
          related.map((id) => ({ id })),
          oddValue,
        ),
        { maxLength: 4 },
      ),
      oddValue,
    ),
  };
  return fc.oneof(
    {
      arbitrary: fc.constantFrom(...PROPERTY_TYPES).chain((type) =>
        fc
          .record(
            {
              id: fc.constant("prop"),
              type: fc.constant(type),
              value: valueFor[type] ?? oddValue,
              hasMore: fc.boolean(),
            },
            { requiredKeys: ["id", "type"] },
          )
          .map(({ id, type, value, hasMore }) => ({
            id,
            type,
            [type]: value,
            ...(type === "relation" ? { has_more: hasMore } : {}),
          })),
      ),
      weight: 10,
    },
    { arbitrary: oddValue, weight: 1 },
  );
}

/** A page object's `properties`: named values, a title missing or twice, or not an object at all. */
export function pageProperties(relatedIds: string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: fc.dictionary(oddString, propertyValue(relatedIds), { maxKeys: 8 }), weight: 10 },
    { arbitrary: fc.constantFrom(null, [], "properties", {}), weight: 1 },
  );
}
