/**
 * The text a chunk is embedded as: its content, after the page's title and the chunk's heading path.
 * A chunk that says "Rotate it every 90 days" is then found by what "it" is. The context is kept out of
 * the displayed content and the segment, which stay the chunk's own text.
 */

/** How the context is set off from the content it situates. */
const SEPARATOR = " › ";

export function embeddedText(
  chunk: { content: string; headingPath: readonly string[] },
  title: string,
): string {
  const context = [title, ...chunk.headingPath].filter((part) => part.trim() !== "").join(SEPARATOR);
  return context === "" ? chunk.content : `${context}\n\n${chunk.content}`;
}
