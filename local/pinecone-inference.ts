/**
 * Pinecone Inference's `POST /embed` for the Pinecone stand-in (pinecone-server.ts), as API version
 * 2026-04 speaks it: `{model, inputs: [{text}], parameters: {input_type, truncate, dimension?}}` in,
 * `{model, vector_type: "dense", data: [{values, vector_type}], usage: {total_tokens}}` out.
 * Its own copy of the models' documented limits (96 inputs per request; 507 / 2048 tokens per input,
 * cut at the end unless `truncate: "NONE"`), so tests check the embedder against the API, not itself.
 * Vectors are feature hashes of `"{input_type}: {text}"`, the prefixes e5 itself is trained with, so a
 * query and a passage of the same text differ as they do for the real model.
 */
import { countTokens, tokenPrefix } from "../lib/chunking/tokenizer.js";
import { hashEmbedding } from "../lib/embedding/feature-hash.js";

interface InferenceModel {
  dimensions: readonly number[];
  defaultDimension: number;
  maxInputs: number;
  maxTokensPerInput: number;
}

const MODELS: Record<string, InferenceModel> = {
  "multilingual-e5-large": {
    dimensions: [1024],
    defaultDimension: 1024,
    maxInputs: 96,
    maxTokensPerInput: 507,
  },
  "llama-text-embed-v2": {
    dimensions: [384, 512, 768, 1024, 2048],
    defaultDimension: 1024,
    maxInputs: 96,
    maxTokensPerInput: 2048,
  },
};

export interface EmbedCall {
  model: string;
  inputType: string;
  inputs: number;
  tokens: number;
}

type Reject = (status: number, message: string) => Error;

function object(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function parseInputs(raw: unknown, model: InferenceModel, name: string, reject: Reject): string[] {
  if (!Array.isArray(raw) || raw.length === 0) throw reject(400, "inputs must be a non-empty array");
  if (raw.length > model.maxInputs) {
    throw reject(
      400,
      `Batch size ${raw.length} exceeds the limit of ${model.maxInputs} inputs for model ${name}`,
    );
  }
  return raw.map((input) => {
    const text = object(input)?.text;
    if (typeof text !== "string") throw reject(400, "Each input must be an object with a string `text`");
    return text;
  });
}

function parseDimension(raw: unknown, model: InferenceModel, name: string, reject: Reject): number {
  if (raw === undefined) return model.defaultDimension;
  if (typeof raw !== "number" || !model.dimensions.includes(raw)) {
    throw reject(
      400,
      `dimension ${String(raw)} is not supported by ${name} (supported: ${model.dimensions.join(", ")})`,
    );
  }
  return raw;
}

/** Answers one embed request, or throws what `reject` makes of the problem. */
export function answerEmbed(body: unknown, reject: Reject): { answer: unknown; call: EmbedCall } {
  const request = object(body);
  if (!request) throw reject(400, "Embed request must be a JSON object");
  const name = request.model;
  const model = typeof name === "string" ? MODELS[name] : undefined;
  if (typeof name !== "string" || !model) throw reject(400, `Model '${String(name)}' not found`);
  const parameters = object(request.parameters) ?? {};
  const inputType = parameters.input_type;
  if (inputType !== "passage" && inputType !== "query") {
    throw reject(400, "Missing or invalid parameter input_type: must be 'passage' or 'query'");
  }
  const truncate = parameters.truncate ?? "END";
  if (truncate !== "END" && truncate !== "NONE") throw reject(400, "truncate must be 'END' or 'NONE'");
  const dimension = parseDimension(parameters.dimension, model, name, reject);
  const inputs = parseInputs(request.inputs, model, name, reject);

  let tokens = 0;
  const data = inputs.map((text) => {
    const count = countTokens(text);
    if (count > model.maxTokensPerInput && truncate === "NONE") {
      throw reject(
        400,
        `Input of ${count} tokens exceeds the limit of ${model.maxTokensPerInput} for ${name}`,
      );
    }
    const read = count > model.maxTokensPerInput ? tokenPrefix(text, model.maxTokensPerInput) : undefined;
    tokens += read?.tokens ?? count;
    return {
      values: hashEmbedding(`${inputType}: ${read?.prefix ?? text}`, dimension),
      vector_type: "dense",
    };
  });
  return {
    answer: { model: name, vector_type: "dense", data, usage: { total_tokens: tokens } },
    call: { model: name, inputType, inputs: inputs.length, tokens },
  };
}
