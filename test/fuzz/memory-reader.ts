/**
 * A NotionReader over raw objects in memory: serves pages, databases, data source rows and block
 * children exactly as given (no JSON round trip, no shape check), 100 to a page like the API, so that
 * extraction meets payloads the Notion stand-in cannot serve (a page's properties of the wrong type, a
 * block without an id, `Infinity`).
 */
import type { BlockObjectResponse, DatabaseObjectResponse, PageObjectResponse } from "@notionhq/client";
import type { Listing, NotionReader } from "../../lib/adapters/notion/extraction/reader.js";
import { NotionNotFoundError } from "../../lib/shared/errors.js";
import type { BlockSpec } from "../../local/notion-blocks.js";

const PAGE_SIZE = 100;

/** What may be done to a block's envelope: the fields every block has. */
export type Envelope = "intact" | "no id" | "numeric id" | "no type" | "has_children as text";

export class MemoryReader implements NotionReader {
  requests = 0;
  readonly pages = new Map<string, unknown>();
  readonly databases = new Map<string, unknown>();
  readonly rows = new Map<string, unknown[]>();
  readonly children = new Map<string, unknown[]>();
  private nextId = 0;

  freshId(): string {
    this.nextId += 1;
    return `00000000-0000-4000-8000-${this.nextId.toString(16).padStart(12, "0")}`;
  }

  /** Stores blocks as the children of `parentId`, and theirs below them; `envelopes` by block order. */
  addBlocks(parentId: string, specs: BlockSpec[], envelopes: Envelope[] = []): void {
    const stack: { parentId: string; specs: BlockSpec[] }[] = [{ parentId, specs }];
    let index = 0;
    while (stack.length > 0) {
      const { parentId: parent, specs: level } = stack.pop() as { parentId: string; specs: BlockSpec[] };
      const listed: unknown[] = [];
      for (const spec of level) {
        const id = this.freshId();
        const children = spec.children ?? [];
        listed.push(
          rawBlock(id, spec, children.length > 0, envelopes[index % Math.max(1, envelopes.length)]),
        );
        index += 1;
        if (children.length > 0) stack.push({ parentId: id, specs: children });
      }
      this.children.set(parent, listed);
    }
  }

  async listChildren(blockId: string, cursor: string | undefined): Promise<Listing<BlockObjectResponse>> {
    this.requests += 1;
    return page(this.children.get(blockId) ?? [], cursor) as Listing<BlockObjectResponse>;
  }

  async queryDataSource(
    dataSourceId: string,
    cursor: string | undefined,
  ): Promise<Listing<PageObjectResponse>> {
    this.requests += 1;
    return page(this.rows.get(dataSourceId) ?? [], cursor) as Listing<PageObjectResponse>;
  }

  async retrievePage(pageId: string): Promise<PageObjectResponse> {
    this.requests += 1;
    const found = this.pages.get(pageId);
    if (found === undefined) throw new NotionNotFoundError(`Notion retrieve page failed (404): ${pageId}`);
    return found as PageObjectResponse;
  }

  async retrieveDatabase(databaseId: string): Promise<DatabaseObjectResponse> {
    this.requests += 1;
    const found = this.databases.get(databaseId);
    if (found === undefined)
      throw new NotionNotFoundError(`Notion retrieve database failed (404): ${databaseId}`);
    return found as DatabaseObjectResponse;
  }

  /** The fuzzed pages hold no relation or people value past 25, so no property is read whole here. */
  async listPropertyItems(pageId: string, propertyId: string): Promise<Listing<unknown>> {
    this.requests += 1;
    throw new NotionNotFoundError(`Notion retrieve page property failed (404): ${pageId}/${propertyId}`);
  }
}

function page(all: unknown[], cursor: string | undefined): Listing<unknown> {
  const start = cursor === undefined ? 0 : Number(cursor);
  const end = start + PAGE_SIZE;
  return { results: all.slice(start, end), nextCursor: end < all.length ? String(end) : undefined };
}

function rawBlock(id: string, spec: BlockSpec, hasChildren: boolean, envelope: Envelope | undefined) {
  const block: Record<string, unknown> = {
    object: "block",
    id,
    type: spec.type,
    has_children: hasChildren,
    archived: false,
    in_trash: false,
  };
  // defineProperty: a type named "__proto__" is a field like any other in the API's JSON.
  Object.defineProperty(block, spec.type, { value: spec.content, enumerable: true, writable: true });
  if (envelope === "no id") delete block.id;
  if (envelope === "numeric id") block.id = 42;
  if (envelope === "no type") delete block.type;
  if (envelope === "has_children as text") block.has_children = hasChildren ? "yes" : "";
  return block;
}
