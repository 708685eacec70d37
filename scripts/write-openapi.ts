/** `npm run openapi`: writes docs/api/openapi.json from the API's schemas (lib/retrieval/openapi-document.ts). */
import { readFileSync, writeFileSync } from "node:fs";
import { openApiDocument } from "../lib/retrieval/openapi-document.js";

const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
writeFileSync("docs/api/openapi.json", `${JSON.stringify(openApiDocument(version), null, 2)}\n`);
process.stdout.write("wrote docs/api/openapi.json\n");
