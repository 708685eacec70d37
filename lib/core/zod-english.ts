/**
 * zod's mini build, with its English messages. The schemas import `zod/mini` as a namespace: the
 * classic build cannot be tree-shaken and was about 92 KB of every function bundle, the mini one is
 * about 25 KB (npm run bench:bundle). Imported for its effect by every module that defines a schema.
 */
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";

z.config(en());
