/**
 * An in-memory Notion workspace for the Notion stand-in server (tests, `npm start` demo).
 * It stores pages, databases (with data sources whose rows are pages) and trees of blocks,
 * and renders them in the exact JSON shapes of Notion API version 2025-09-03.
 * Every mutation stamps `last_edited_time` with the clock rounded DOWN to the minute, as Notion does.
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "../lib/core/ports.js";
import { type BlockSpec, paragraph, text } from "./notion-blocks.js";
import { floorToMinute, normalizeId, pageUrl, propertyId, user } from "./notion-ids.js";
import {
  type Column,
  type ColumnType,
  columnSchema,
  person,
  propertyValue,
  type RowValues,
} from "./notion-properties.js";

// ---------------------------------------------------------------- stored objects

type Parent =
  | { type: "workspace"; workspace: true }
  | { type: "page_id"; page_id: string }
  | { type: "block_id"; block_id: string }
  | { type: "data_source_id"; data_source_id: string; database_id: string };

interface Lifecycle {
  createdTime: string;
  lastEditedTime: string;
  inTrash: boolean;
  /** Permanently deleted: 404 for everyone. */
  deleted: boolean;
  /** Its connection to the integration was removed: 404 for it and, as in Notion, for what is below it. */
  unshared: boolean;
  /** Shared with the integration by itself: visible even when an ancestor is not. */
  sharedExplicitly?: boolean;
}

interface StoredBlock {
  id: string;
  pageId: string;
  parent: Parent;
  type: string;
  content: Record<string, unknown>;
  children: StoredBlock[];
  createdTime: string;
  lastEditedTime: string;
}

interface StoredPage extends Lifecycle {
  id: string;
  title: string;
  parent: Parent;
  icon: string | undefined;
  blocks: StoredBlock[];
  /** Rows only: the row's values, by column name. */
  values: RowValues | undefined;
  /**
   * Rows only: property values served exactly as given, in the API's own shape, after the columns'
   * (types the stand-in does not compute: rollups, formulas, verification, place, button...).
   */
  apiProperties?: Record<string, unknown>;
  dataSourceId: string | undefined;
}

interface StoredDataSource {
  id: string;
  name: string;
  databaseId: string;
  columns: Column[];
  rowIds: string[];
}

interface StoredDatabase extends Lifecycle {
  id: string;
  title: string;
  /** Shown under the title in Notion; the API's `description` rich text. */
  description: string;
  parent: Parent;
  dataSourceIds: string[];
}

export interface NotionWorkspaceOptions {
  clock?: Clock;
  /** Notion's id of the workspace (webhook events carry it as `workspace_id`). */
  workspaceId?: string;
  workspaceName?: string;
  botName?: string;
}

/**
 * A change, as Notion's integration webhooks report it (local/notion-webhooks.ts turns it into
 * an event): the event type, the object, and its parent in the webhook's shape (`space` for the
 * workspace's top level; a row's parent is its database, with the data source id alongside).
 */
export interface WorkspaceChange {
  type: string;
  entity: { id: string; type: "page" | "database" | "data_source" | "block" };
  parent: { id: string; type: string; data_source_id?: string };
  /** page.content_updated: the blocks that changed. */
  updatedBlocks?: string[];
  /** page.properties_updated: the property ids that changed. */
  updatedProperties?: string[];
}

export type WorkspaceChangeListener = (change: WorkspaceChange) => void;

/** The stand-in workspace's id unless one is given: a fixed UUID, so a restart keeps it. */
export const DEFAULT_WORKSPACE_ID = "5e0c1a2b-0000-4000-8000-00000000a11c";

/** The person who "edits" everything, and the integration's bot user. */
const PERSON_ID = "7f1c7bde-2b1c-4c54-9d0c-5f2f4fa2e0a1";
const BOT_ID = "c0ffee00-b07b-4b07-8b07-000000000b07";

// ---------------------------------------------------------------- the workspace

export class NotionWorkspace {
  readonly workspaceId: string;
  readonly workspaceName: string;
  readonly botName: string;
  readonly botId = BOT_ID;
  private readonly clock: Clock;
  private readonly pages = new Map<string, StoredPage>();
  private readonly databases = new Map<string, StoredDatabase>();
  private readonly dataSources = new Map<string, StoredDataSource>();
  private readonly blocks = new Map<string, StoredBlock>();
  private readonly listeners = new Set<WorkspaceChangeListener>();

  constructor(options: NotionWorkspaceOptions = {}) {
    this.clock = options.clock ?? { now: () => new Date() };
    this.workspaceId = options.workspaceId ?? DEFAULT_WORKSPACE_ID;
    this.workspaceName = options.workspaceName ?? "Acme Corp";
    this.botName = options.botName ?? "notion-index-sync";
  }

  /** The current time as Notion would stamp it. */
  stamp(): string {
    return floorToMinute(this.clock.now());
  }

  /** Calls the listener after every change of a page, row or database; returns an unsubscribe. */
  onChange(listener: WorkspaceChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---------------------------------------------------------------- building

  addPage(spec: {
    id?: string;
    title: string;
    parentPageId?: string;
    /** A block of a page (a toggle, a column): the page sits inside it, its parent a `block_id`. */
    parentBlockId?: string;
    icon?: string;
    blocks?: BlockSpec[];
  }): string {
    const id = this.freshId(spec.id);
    const now = this.stamp();
    const parent: Parent =
      spec.parentBlockId !== undefined
        ? { type: "block_id", block_id: this.requireBlock(spec.parentBlockId).id }
        : spec.parentPageId === undefined
          ? { type: "workspace", workspace: true }
          : { type: "page_id", page_id: this.requireId(spec.parentPageId) };
    this.pages.set(id, {
      id,
      title: spec.title,
      parent,
      icon: spec.icon,
      blocks: [],
      values: undefined,
      dataSourceId: undefined,
      ...this.freshLifecycle(now),
    });
    this.replaceBlocks(id, spec.blocks ?? [], now);
    if (parent.type === "page_id") this.addChildBlock(parent.page_id, id, "child_page", spec.title, now);
    if (parent.type === "block_id") this.addChildBlockInBlock(parent.block_id, id, spec.title, now);
    this.emitPage("page.created", id);
    if (parent.type === "page_id") this.emitPage("page.content_updated", parent.page_id, [id]);
    return id;
  }

  addDatabase(spec: {
    id?: string;
    dataSourceId?: string;
    title: string;
    description?: string;
    parentPageId?: string;
    columns: Record<string, ColumnType>;
    rows?: RowValues[];
  }): { databaseId: string; dataSourceId: string } {
    const databaseId = this.freshId(spec.id);
    const dataSourceId = this.freshId(spec.dataSourceId);
    const now = this.stamp();
    const columns = Object.entries(spec.columns).map(([name, type]) => ({
      id: type === "title" ? "title" : propertyId(name),
      name,
      type,
    }));
    if (columns.filter((column) => column.type === "title").length !== 1) {
      throw new Error("a database needs exactly one title column");
    }
    const parent: Parent =
      spec.parentPageId === undefined
        ? { type: "workspace", workspace: true }
        : { type: "page_id", page_id: this.requireId(spec.parentPageId) };
    this.databases.set(databaseId, {
      id: databaseId,
      title: spec.title,
      description: spec.description ?? "",
      parent,
      dataSourceIds: [dataSourceId],
      ...this.freshLifecycle(now),
    });
    this.dataSources.set(dataSourceId, {
      id: dataSourceId,
      name: spec.title,
      databaseId,
      columns,
      rowIds: [],
    });
    for (const row of spec.rows ?? []) this.addRow(dataSourceId, row);
    if (parent.type === "page_id")
      this.addChildBlock(parent.page_id, databaseId, "child_database", spec.title, now);
    this.emitDataSources("data_source.created", databaseId);
    if (parent.type === "page_id") this.emitPage("page.content_updated", parent.page_id, [databaseId]);
    return { databaseId, dataSourceId };
  }

  addRow(
    dataSourceId: string,
    values: RowValues,
    options: { id?: string; blocks?: BlockSpec[]; apiProperties?: Record<string, unknown> } = {},
  ): string {
    const dataSource = this.requireDataSource(dataSourceId);
    const id = this.freshId(options.id);
    const now = this.stamp();
    this.pages.set(id, {
      id,
      title: this.titleOfRow(dataSource, values),
      parent: { type: "data_source_id", data_source_id: dataSource.id, database_id: dataSource.databaseId },
      icon: undefined,
      blocks: [],
      values: { ...values },
      apiProperties: options.apiProperties,
      dataSourceId: dataSource.id,
      ...this.freshLifecycle(now),
    });
    dataSource.rowIds.push(id);
    this.replaceBlocks(id, options.blocks ?? [], now);
    this.touchDatabaseOf(id, now);
    this.emitPage("page.created", id);
    this.emitDataSources("data_source.content_updated", dataSource.databaseId);
    return id;
  }

  // ---------------------------------------------------------------- mutations (tests and the demo)

  /** Replaces the page's content. */
  editPage(pageId: string, blocks: BlockSpec[]): void {
    const page = this.requirePage(pageId);
    const now = this.stamp();
    this.replaceBlocks(page.id, blocks, now);
    this.touch(page, now);
    this.emitPage(
      "page.content_updated",
      page.id,
      page.blocks.map((stored) => stored.id),
    );
  }

  appendParagraph(pageId: string, content: string): string {
    const page = this.requirePage(pageId);
    const now = this.stamp();
    const added = this.storeBlock(paragraph(content), page.id, { type: "page_id", page_id: page.id }, now);
    page.blocks.push(added);
    this.touch(page, now);
    this.emitPage("page.content_updated", page.id, [added.id]);
    return added.id;
  }

  /** Renames a page (its title property) or a database, and the block that shows it in its parent. */
  setTitle(id: string, title: string): void {
    const object = this.requireObject(id);
    object.title = title;
    const shown = this.blocks.get(object.id);
    if (shown !== undefined) shown.content = { title };
    if ("values" in object && object.values !== undefined && object.dataSourceId !== undefined) {
      const column = this.titleColumn(this.requireDataSource(object.dataSourceId));
      object.values[column.name] = title;
    }
    this.touch(object, this.stamp());
    if ("blocks" in object) this.emitPage("page.properties_updated", object.id, undefined, ["title"]);
    else this.emitDataSources("data_source.schema_updated", object.id);
  }

  /** Changes some values of a database row. */
  updateRow(pageId: string, values: RowValues): void {
    const page = this.requirePage(pageId);
    if (page.values === undefined || page.dataSourceId === undefined)
      throw new Error(`${pageId} is not a row`);
    Object.assign(page.values, values);
    const dataSource = this.requireDataSource(page.dataSourceId);
    page.title = this.titleOfRow(dataSource, page.values);
    this.touch(page, this.stamp());
    const changed = dataSource.columns.filter((column) => column.name in values).map((column) => column.id);
    this.emitPage("page.properties_updated", page.id, undefined, changed);
  }

  /** Moves a page under another page (or to the workspace's top level). */
  movePage(id: string, newParentPageId: string | undefined): void {
    const page = this.requirePage(id);
    const now = this.stamp();
    const oldParent = page.parent;
    if (oldParent.type === "page_id") {
      const previous = this.requirePage(oldParent.page_id);
      previous.blocks = previous.blocks.filter((stored) => stored.id !== page.id);
      this.blocks.delete(page.id);
      this.touch(previous, now);
      this.emitPage("page.content_updated", previous.id, []);
    }
    page.parent =
      newParentPageId === undefined
        ? { type: "workspace", workspace: true }
        : { type: "page_id", page_id: this.requireId(newParentPageId) };
    if (page.parent.type === "page_id") {
      this.addChildBlock(page.parent.page_id, page.id, "child_page", page.title, now);
      this.emitPage("page.content_updated", page.parent.page_id, [page.id]);
    }
    this.touch(page, now);
    this.emitPage("page.moved", page.id);
  }

  trashPage(id: string): void {
    this.setTrashed(id, true);
  }

  restorePage(id: string): void {
    this.setTrashed(id, false);
  }

  /** Permanently deleted: every request for it answers 404. */
  deletePage(id: string): void {
    const object = this.requireObject(id);
    const wasTrashed = object.inTrash;
    object.deleted = true;
    // Emptying the trash sends nothing new: the page left when it was trashed.
    if (!wasTrashed) this.emitLifecycle(object, true);
  }

  /** The integration loses access: 404 for it, as Notion answers for pages not shared with it. */
  unsharePage(id: string): void {
    const object = this.requireObject(id);
    object.unshared = true;
    object.sharedExplicitly = false;
  }

  /** Shares the object (and so what is below it) with the integration. */
  sharePage(id: string): void {
    const object = this.requireObject(id);
    object.unshared = false;
    object.sharedExplicitly = true;
  }

  // ---------------------------------------------------------------- reads for the server

  /** A page the integration can see (trashed pages included), else undefined. */
  visiblePage(id: string): StoredPage | undefined {
    const page = this.pages.get(id);
    return page !== undefined && this.isVisible(page) ? page : undefined;
  }

  visibleDatabase(id: string): StoredDatabase | undefined {
    const database = this.databases.get(id);
    return database !== undefined && this.isVisible(database) ? database : undefined;
  }

  visibleDataSource(id: string): StoredDataSource | undefined {
    const dataSource = this.dataSources.get(id);
    if (dataSource === undefined) return undefined;
    return this.visibleDatabase(dataSource.databaseId) === undefined ? undefined : dataSource;
  }

  visibleBlock(id: string): StoredBlock | undefined {
    const stored = this.blocks.get(id);
    return stored !== undefined && this.visiblePage(stored.pageId) !== undefined ? stored : undefined;
  }

  /**
   * The page or database an object sits in (a page inside a block: that block's page; a row: its
   * database), or undefined at the top level: the truth tests compare a followed scope against.
   */
  containerOf(id: string): string | undefined {
    const object = this.pages.get(id) ?? this.databases.get(id);
    return object === undefined ? undefined : this.parentObject(object.parent)?.id;
  }

  /** What kind of object an id names, whether or not it is visible. */
  kindOf(id: string): "page" | "database" | "data_source" | "block" | undefined {
    if (this.pages.has(id)) return "page";
    if (this.databases.has(id)) return "database";
    if (this.dataSources.has(id)) return "data_source";
    if (this.blocks.has(id)) return "block";
    return undefined;
  }

  /**
   * Children of a visible page or block, as API block objects; undefined when not visible. A synced
   * block that references another shows the original's children, as Notion does.
   */
  childrenOf(id: string): Record<string, unknown>[] | undefined {
    const parent = this.visiblePage(id) ?? this.visibleBlock(id);
    if (parent === undefined) return undefined;
    if ("blocks" in parent) return parent.blocks.map((child) => this.blockObject(child));
    const original = this.syncedOriginal(parent);
    if (original === null) return undefined;
    return (original ?? parent).children.map((child) => this.blockObject(child));
  }

  /**
   * Rows of a data source that are not in trash, as their id and timestamps only: a query filters,
   * sorts and pages these, and builds page objects for the one page it answers.
   */
  rowStamps(dataSourceId: string): { id: string; created_time: string; last_edited_time: string }[] {
    const dataSource = this.requireDataSource(dataSourceId);
    return dataSource.rowIds
      .map((id) => this.visiblePage(id))
      .filter((page): page is StoredPage => page !== undefined && !page.inTrash)
      .map((page) => ({
        id: page.id,
        created_time: page.createdTime,
        last_edited_time: page.lastEditedTime,
      }));
  }

  /** A visible row or page as an API page object. */
  rowObject(id: string): Record<string, unknown> {
    const page = this.visiblePage(id);
    if (page === undefined) throw new Error(`no visible page ${id}`);
    return this.pageObject(page);
  }

  /** Rows of a data source that are not in trash, as API page objects. */
  rowsOf(dataSourceId: string): Record<string, unknown>[] {
    const dataSource = this.requireDataSource(dataSourceId);
    return dataSource.rowIds
      .map((id) => this.visiblePage(id))
      .filter((page): page is StoredPage => page !== undefined && !page.inTrash)
      .map((page) => this.pageObject(page));
  }

  /** Everything search can find: visible, not trashed pages and data sources. */
  searchable(): { object: "page" | "data_source"; title: string; json: Record<string, unknown> }[] {
    const pages = [...this.pages.values()]
      .filter((page) => this.isVisible(page) && !page.inTrash)
      .map((page) => ({ object: "page" as const, title: page.title, json: this.pageObject(page) }));
    const dataSources = [...this.dataSources.values()]
      .filter((dataSource) => {
        const database = this.visibleDatabase(dataSource.databaseId);
        return database !== undefined && !database.inTrash;
      })
      .map((dataSource) => ({
        object: "data_source" as const,
        title: dataSource.name,
        json: this.dataSourceObject(dataSource),
      }));
    return [...pages, ...dataSources];
  }

  /**
   * One property of a page as the page-property endpoint gives it: a relation or people value as
   * every one of its references (the page object shows at most 25), any other as one property item.
   */
  propertyItems(
    pageId: string,
    propertyId: string,
  ):
    | { references: Record<string, unknown>[]; type: string; id: string }
    | Record<string, unknown>
    | undefined {
    const page = this.visiblePage(pageId);
    if (page === undefined) return undefined;
    const properties = this.pageProperties(page);
    const entry = Object.values(properties).find(
      (value) =>
        (value as { id?: string }).id === propertyId ||
        (value as { id?: string }).id === encodeURIComponent(propertyId),
    ) as { id: string; type: string } | undefined;
    if (entry === undefined) return undefined;
    const column = page.dataSourceId
      ? this.requireDataSource(page.dataSourceId).columns.find((candidate) => candidate.id === entry.id)
      : undefined;
    const value = column === undefined ? undefined : page.values?.[column.name];
    if (entry.type === "relation" && Array.isArray(value)) {
      return { id: entry.id, type: "relation", references: value.map((id) => ({ relation: { id } })) };
    }
    if (entry.type === "people" && Array.isArray(value)) {
      return { id: entry.id, type: "people", references: value.map((name) => ({ people: person(name) })) };
    }
    return { object: "property_item", ...entry };
  }

  // ---------------------------------------------------------------- API shapes (2025-09-03)

  pageObject(page: StoredPage): Record<string, unknown> {
    return {
      object: "page",
      id: page.id,
      created_time: page.createdTime,
      last_edited_time: page.lastEditedTime,
      created_by: user(PERSON_ID),
      last_edited_by: user(PERSON_ID),
      cover: null,
      icon: page.icon === undefined ? null : { type: "emoji", emoji: page.icon },
      parent: page.parent,
      archived: page.inTrash,
      in_trash: page.inTrash,
      is_locked: false,
      properties: this.pageProperties(page),
      url: pageUrl(page.id, page.title),
      public_url: null,
    };
  }

  databaseObject(database: StoredDatabase): Record<string, unknown> {
    return {
      object: "database",
      id: database.id,
      title: [text(database.title)],
      description: database.description === "" ? [] : [text(database.description)],
      parent: database.parent,
      is_inline: false,
      in_trash: database.inTrash,
      archived: database.inTrash,
      is_locked: false,
      created_time: database.createdTime,
      last_edited_time: database.lastEditedTime,
      data_sources: database.dataSourceIds.map((id) => ({ id, name: this.requireDataSource(id).name })),
      icon: null,
      cover: null,
      url: pageUrl(database.id, ""),
      public_url: null,
    };
  }

  dataSourceObject(dataSource: StoredDataSource): Record<string, unknown> {
    const database = this.databases.get(dataSource.databaseId);
    if (database === undefined) throw new Error(`no database ${dataSource.databaseId}`);
    return {
      object: "data_source",
      id: dataSource.id,
      created_time: database.createdTime,
      last_edited_time: database.lastEditedTime,
      created_by: user(PERSON_ID),
      last_edited_by: user(PERSON_ID),
      title: [text(dataSource.name)],
      description: [],
      parent: { type: "database_id", database_id: database.id },
      database_parent: database.parent,
      is_inline: false,
      archived: database.inTrash,
      in_trash: database.inTrash,
      icon: null,
      cover: null,
      properties: Object.fromEntries(dataSource.columns.map((column) => [column.name, columnSchema(column)])),
      url: pageUrl(dataSource.id, ""),
      public_url: null,
    };
  }

  blockObject(stored: StoredBlock): Record<string, unknown> {
    return {
      object: "block",
      id: stored.id,
      parent: stored.parent,
      created_time: stored.createdTime,
      last_edited_time: stored.lastEditedTime,
      created_by: user(PERSON_ID),
      last_edited_by: user(PERSON_ID),
      has_children: this.hasChildren(stored),
      archived: false,
      in_trash: false,
      type: stored.type,
      [stored.type]: stored.content,
    };
  }

  /** `GET /v1/blocks/:id` on a page id answers the page's `child_page` block. */
  pageAsBlock(page: StoredPage): Record<string, unknown> {
    return {
      object: "block",
      id: page.id,
      parent: page.parent,
      created_time: page.createdTime,
      last_edited_time: page.lastEditedTime,
      created_by: user(PERSON_ID),
      last_edited_by: user(PERSON_ID),
      has_children: page.blocks.length > 0,
      archived: page.inTrash,
      in_trash: page.inTrash,
      type: "child_page",
      child_page: { title: page.title },
    };
  }

  // ---------------------------------------------------------------- internals

  /**
   * Notion's sharing: access to a page reaches everything below it. An object is visible unless it
   * is deleted, or its connection was removed on it or on its nearest ancestor that has one set.
   */
  private isVisible(object: StoredPage | StoredDatabase, depth = 0): boolean {
    if (object.deleted) return false;
    if (object.sharedExplicitly) return true;
    if (object.unshared || depth > 64) return false;
    const parent = this.parentObject(object.parent);
    return parent === undefined || this.isVisible(parent, depth + 1);
  }

  private parentObject(parent: Parent): StoredPage | StoredDatabase | undefined {
    switch (parent.type) {
      case "workspace":
        return undefined;
      case "page_id":
        return this.pages.get(parent.page_id);
      case "data_source_id":
        return this.databases.get(parent.database_id);
      case "block_id": {
        const block = this.blocks.get(parent.block_id);
        return block === undefined ? undefined : this.pages.get(block.pageId);
      }
    }
  }

  private hasChildren(stored: StoredBlock): boolean {
    if (stored.type === "child_page" || stored.type === "child_database") {
      const object = this.pages.get(stored.id) ?? this.databases.get(stored.id);
      return object !== undefined && ("blocks" in object ? object.blocks.length > 0 : true);
    }
    const original = this.syncedOriginal(stored);
    return (original ?? stored).children.length > 0;
  }

  /**
   * The original of a synced block that references one (undefined for any other block); null when
   * the original is not visible to the integration.
   */
  private syncedOriginal(stored: StoredBlock): StoredBlock | null | undefined {
    if (stored.type !== "synced_block") return undefined;
    // Fuzzed blocks may hold any shape here: a missing or odd reference is not a synced copy.
    const from = (stored.content as { synced_from?: { block_id?: unknown } | null } | null)?.synced_from;
    if (typeof from?.block_id !== "string") return undefined;
    return this.visibleBlock(normalizeId(from.block_id) ?? from.block_id) ?? null;
  }

  /** The block that shows a child page or database in its parent page (Notion gives it the same id). */
  private addChildBlock(parentPageId: string, id: string, type: string, title: string, now: string): void {
    const parent = this.requirePage(parentPageId);
    parent.blocks.push(
      this.childBlock(id, parent.id, { type: "page_id", page_id: parent.id }, type, title, now),
    );
    this.touch(parent, now);
  }

  /** A child page inside a block (a toggle, a column): its `child_page` block is the block's child. */
  private addChildBlockInBlock(blockId: string, id: string, title: string, now: string): void {
    const container = this.requireBlock(blockId);
    const parent: Parent = { type: "block_id", block_id: container.id };
    container.children.push(this.childBlock(id, container.pageId, parent, "child_page", title, now));
    this.touch(this.requirePage(container.pageId), now);
  }

  /** The `child_page` / `child_database` block of an object, stored under its id. */
  private childBlock(id: string, pageId: string, parent: Parent, type: string, title: string, now: string) {
    const stored: StoredBlock = {
      id,
      pageId,
      parent,
      type,
      content: { title },
      children: [],
      createdTime: now,
      lastEditedTime: now,
    };
    this.blocks.set(id, stored);
    return stored;
  }

  private pageProperties(page: StoredPage): Record<string, unknown> {
    if (page.values === undefined || page.dataSourceId === undefined) {
      return { title: { id: "title", type: "title", title: [text(page.title)] } };
    }
    const dataSource = this.requireDataSource(page.dataSourceId);
    const values = page.values;
    return {
      ...Object.fromEntries(
        dataSource.columns.map((column) => [column.name, propertyValue(column, values[column.name])]),
      ),
      ...page.apiProperties,
    };
  }

  private replaceBlocks(pageId: string, specs: BlockSpec[], now: string): void {
    const page = this.requirePage(pageId);
    for (const old of page.blocks) this.forgetBlock(old);
    page.blocks = specs.map((spec) =>
      this.storeBlock(spec, pageId, { type: "page_id", page_id: pageId }, now),
    );
  }

  private storeBlock(spec: BlockSpec, pageId: string, parent: Parent, now: string): StoredBlock {
    const id = this.freshId(spec.id);
    const stored: StoredBlock = {
      id,
      pageId,
      parent,
      type: spec.type,
      content: structuredClone(spec.content),
      children: [],
      createdTime: now,
      lastEditedTime: now,
    };
    this.blocks.set(id, stored);
    stored.children = (spec.children ?? []).map((child) =>
      this.storeBlock(child, pageId, { type: "block_id", block_id: id }, now),
    );
    return stored;
  }

  private forgetBlock(stored: StoredBlock): void {
    this.blocks.delete(stored.id);
    for (const child of stored.children) this.forgetBlock(child);
  }

  private setTrashed(id: string, inTrash: boolean): void {
    const object = this.requireObject(id);
    object.inTrash = inTrash;
    this.touch(object, this.stamp());
    this.emitLifecycle(object, inTrash);
  }

  // ---------------------------------------------------------------- change events

  private emitLifecycle(object: StoredPage | StoredDatabase, gone: boolean): void {
    if ("blocks" in object) this.emitPage(gone ? "page.deleted" : "page.undeleted", object.id);
    else this.emitDataSources(gone ? "data_source.deleted" : "data_source.undeleted", object.id);
  }

  private emitPage(
    type: string,
    pageId: string,
    updatedBlocks?: string[],
    updatedProperties?: string[],
  ): void {
    const page = this.pages.get(pageId);
    if (page === undefined) return;
    this.emit({
      type,
      entity: { id: page.id, type: "page" },
      parent: this.webhookParent(page.parent),
      ...(updatedBlocks === undefined ? {} : { updatedBlocks }),
      ...(updatedProperties === undefined ? {} : { updatedProperties }),
    });
  }

  /** Data source events name the data source; their parent is its database. */
  private emitDataSources(type: string, databaseId: string): void {
    const database = this.databases.get(databaseId);
    if (database === undefined) return;
    for (const dataSourceId of database.dataSourceIds) {
      this.emit({
        type,
        entity: { id: dataSourceId, type: "data_source" },
        parent: { id: database.id, type: "database" },
      });
    }
  }

  /** A stored parent in the webhook's shape. */
  private webhookParent(parent: Parent): WorkspaceChange["parent"] {
    switch (parent.type) {
      case "workspace":
        return { id: this.workspaceId, type: "space" };
      case "page_id":
        return { id: parent.page_id, type: "page" };
      case "block_id":
        return { id: parent.block_id, type: "block" };
      case "data_source_id":
        return { id: parent.database_id, type: "database", data_source_id: parent.data_source_id };
    }
  }

  private emit(change: WorkspaceChange): void {
    for (const listener of this.listeners) listener(change);
  }

  private touch(object: StoredPage | StoredDatabase, now: string): void {
    object.lastEditedTime = now;
    if ("values" in object) this.touchDatabaseOf(object.id, now);
  }

  /** A row edit also moves its database's `last_edited_time`, so a database sync sees it. */
  private touchDatabaseOf(pageId: string, now: string): void {
    const page = this.pages.get(pageId);
    if (page?.dataSourceId === undefined) return;
    const database = this.databases.get(this.requireDataSource(page.dataSourceId).databaseId);
    if (database !== undefined) database.lastEditedTime = now;
  }

  private titleColumn(dataSource: StoredDataSource): Column {
    const column = dataSource.columns.find((candidate) => candidate.type === "title");
    if (column === undefined) throw new Error(`data source ${dataSource.id} has no title column`);
    return column;
  }

  private titleOfRow(dataSource: StoredDataSource, values: RowValues): string {
    const value = values[this.titleColumn(dataSource).name];
    return typeof value === "string" ? value : "";
  }

  private freshLifecycle(now: string): Lifecycle {
    return { createdTime: now, lastEditedTime: now, inTrash: false, deleted: false, unshared: false };
  }

  private freshId(id: string | undefined): string {
    if (id === undefined) return randomUUID();
    const normalized = this.requireId(id);
    if (this.kindOf(normalized) !== undefined) throw new Error(`id ${normalized} is already used`);
    return normalized;
  }

  private requireId(id: string): string {
    const normalized = normalizeId(id);
    if (normalized === undefined) throw new Error(`not a Notion id: ${id}`);
    return normalized;
  }

  private requirePage(id: string): StoredPage {
    const page = this.pages.get(this.requireId(id));
    if (page === undefined) throw new Error(`no page ${id}`);
    return page;
  }

  private requireBlock(id: string): StoredBlock {
    const block = this.blocks.get(this.requireId(id));
    if (block === undefined) throw new Error(`no block ${id}`);
    return block;
  }

  private requireDataSource(id: string): StoredDataSource {
    const dataSource = this.dataSources.get(this.requireId(id));
    if (dataSource === undefined) throw new Error(`no data source ${id}`);
    return dataSource;
  }

  private requireObject(id: string): StoredPage | StoredDatabase {
    const normalized = this.requireId(id);
    const object = this.pages.get(normalized) ?? this.databases.get(normalized);
    if (object === undefined) throw new Error(`no page or database ${id}`);
    return object;
  }
}
