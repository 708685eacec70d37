/** A DynamoDB update expression built field by field, with placeholders for every name and value. */
/** Builds `SET a = :a, b.c = :b_c REMOVE d` with attribute-name placeholders for reserved words. */
export class UpdateExpression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private readonly sets: string[] = [];
  private readonly removes: string[] = [];

  set(name: string, value: unknown): this {
    return this.setPath([name], value);
  }

  setPath(path: string[], value: unknown): this {
    const placeholder = `:${path.join("_")}`;
    this.sets.push(`${this.namePath(path)} = ${placeholder}`);
    this.values[placeholder] = value;
    return this;
  }

  remove(...names: string[]): this {
    for (const name of names) this.removes.push(this.namePath([name]));
    return this;
  }

  text(): string {
    const parts: string[] = [];
    if (this.sets.length > 0) parts.push(`SET ${this.sets.join(", ")}`);
    if (this.removes.length > 0) parts.push(`REMOVE ${this.removes.join(", ")}`);
    return parts.join(" ");
  }

  private namePath(path: string[]): string {
    return path
      .map((part) => {
        this.names[`#${part}`] = part;
        return `#${part}`;
      })
      .join(".");
  }
}
