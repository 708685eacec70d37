/**
 * A text table that fits the terminal: columns padded to their widest cell; when the table is too
 * wide, the least important columns go first, then flexible columns (titles, errors) are shortened.
 * Colour, if any, is applied after padding, so it never upsets the widths.
 */
export interface Column {
  header: string;
  cells: string[];
  /** Higher stays longer; columns without one are never dropped. */
  dropPriority?: number;
  /** A column that may be shortened down to this many characters (cells end in "…"). */
  minWidth?: number;
  align?: "left" | "right";
  /** Colours a padded cell (for a terminal); the identity otherwise. */
  style?: (cell: string, row: number) => string;
}

const GAP = 2;

/** The terminal's width, or 80 when it is not a terminal (a pipe, a file). */
export function terminalWidth(stream: NodeJS.WriteStream = process.stdout): number {
  return stream.isTTY && stream.columns ? stream.columns : 80;
}

/** Whether to colour: a terminal, and no NO_COLOR (https://no-color.org). */
export function useColour(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

export function formatTable(columns: Column[], maxWidth: number): string[] {
  let shown = [...columns];
  const natural = (column: Column) =>
    Math.max(column.header.length, ...column.cells.map((cell) => cell.length));
  const total = (widths: number[]) =>
    widths.reduce((sum, width) => sum + width, 0) + GAP * (widths.length - 1);
  // Drop the least important column while even shortened flexible columns would not fit.
  const tightest = () => shown.map((column) => Math.min(natural(column), column.minWidth ?? natural(column)));
  while (total(tightest()) > maxWidth) {
    const droppable = shown.filter((column) => column.dropPriority !== undefined);
    if (droppable.length === 0) break;
    const lowest = droppable.reduce((a, b) => ((a.dropPriority ?? 0) <= (b.dropPriority ?? 0) ? a : b));
    shown = shown.filter((column) => column !== lowest);
  }
  // Shorten flexible columns, the widest first, until the table fits.
  const widths = shown.map(natural);
  for (let excess = total(widths) - maxWidth; excess > 0; excess = total(widths) - maxWidth) {
    let widest = -1;
    for (const [index, column] of shown.entries()) {
      const floor = column.minWidth;
      if (floor === undefined || (widths[index] ?? 0) <= floor) continue;
      if (widest === -1 || (widths[index] ?? 0) > (widths[widest] ?? 0)) widest = index;
    }
    if (widest === -1) break;
    const floor = shown[widest]?.minWidth ?? 0;
    widths[widest] = Math.max(floor, (widths[widest] ?? 0) - excess);
  }
  const rows = Math.max(0, ...shown.map((column) => column.cells.length));
  const line = (cellOf: (column: Column, index: number) => string, row: number) =>
    shown
      .map((column, index) => {
        const width = widths[index] ?? 0;
        const text = shorten(cellOf(column, index), width);
        const padded = column.align === "right" ? text.padStart(width) : text.padEnd(width);
        return row >= 0 && column.style ? column.style(padded, row) : padded;
      })
      .join(" ".repeat(GAP))
      .trimEnd();
  return [
    line((column) => column.header, -1),
    ...Array.from({ length: rows }, (_, row) => line((column) => column.cells[row] ?? "", row)),
  ];
}

function shorten(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

/** Prose wrapped at word boundaries to `width` columns. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((part) => part !== "")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** "1 document", "2 documents". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;
}
