import { createRequire } from "node:module";
import type { calcPrice as CalcPriceFunction } from "@pydantic/genai-prices";

type CalcPrice = typeof CalcPriceFunction;
let loadedCalcPrice: CalcPrice | undefined;

/**
 * The price table (about 0.5 MB of data) is loaded on the first lookup, not at import, so that
 * importing this package for its helpers costs nothing.
 */
function calcPrice(...args: Parameters<CalcPrice>): ReturnType<CalcPrice> {
  loadedCalcPrice ??= (createRequire(__filename)("@pydantic/genai-prices") as { calcPrice: CalcPrice }).calcPrice;
  return loadedCalcPrice(...args);
}

/**
 * Token counts of one LLM call, in the OpenTelemetry GenAI convention: `inputTokens` includes
 * cached tokens (read and written), `outputTokens` includes reasoning tokens. Callers holding
 * Anthropic counts (whose `input_tokens` excludes cache reads and writes) add them in first.
 */
export interface TokenUsage {
  /** All input tokens, cache reads and cache writes included. */
  inputTokens?: number;
  /** All output tokens, reasoning included. */
  outputTokens?: number;
  /** Input tokens served from the provider's prompt cache. */
  cacheReadTokens?: number;
  /** Input tokens written to the provider's prompt cache. */
  cacheWriteTokens?: number;
  /** Output tokens spent on reasoning (priced as output unless the table says otherwise). */
  reasoningTokens?: number;
}

/** A price given by the user, in USD per million tokens. Missing cache prices fall back to `input`. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/** Prices keyed by model id (exact match, case-insensitive); they win over the built-in table. */
export type PriceOverrides = Record<string, ModelPrice>;

interface PerToken {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** `undefined`: not looked up yet; `null`: unknown model; `"dynamic"`: tiered or otherwise non-linear. */
type CacheEntry = PerToken | null | "dynamic";

const PROVIDER_IDS: ReadonlyMap<string, string> = new Map(Object.entries({
  openai: "openai",
  anthropic: "anthropic",
  "azure.ai.openai": "azure",
  azure: "azure",
  "gcp.gemini": "google",
  "gcp.vertex_ai": "google",
  "gcp.gen_ai": "google",
  google: "google",
  "aws.bedrock": "aws",
  mistral_ai: "mistral",
  mistral: "mistral",
  groq: "groq",
  deepseek: "deepseek",
  x_ai: "x-ai",
  cohere: "cohere",
}));

const MILLION = 1_000_000;

function perToken(price: ModelPrice): PerToken {
  return {
    input: price.input / MILLION,
    output: price.output / MILLION,
    cacheRead: (price.cacheRead ?? price.input) / MILLION,
    cacheWrite: (price.cacheWrite ?? price.input) / MILLION,
  };
}

function nonNegative(value: number | undefined): number {
  return typeof value === "number" && value > 0 && Number.isFinite(value) ? value : 0;
}

/**
 * Prices LLM calls from `@pydantic/genai-prices`' offline table (never updated over the network),
 * with user overrides on top. A model's per-token prices are looked up once and cached, so pricing
 * a call costs a map lookup and a few multiplications.
 *
 * @example
 * const table = new PriceTable({ "my-finetune": { input: 3, output: 12 } });
 * table.cost("openai", "gpt-4o", { inputTokens: 1000, outputTokens: 500 }); // 0.0075
 */
export class PriceTable {
  private readonly overrides = new Map<string, PerToken>();
  private readonly cache = new Map<string, CacheEntry>();

  constructor(overrides?: PriceOverrides) {
    if (overrides) this.setOverrides(overrides);
  }

  /** Adds or replaces user prices (USD per million tokens). */
  setOverrides(overrides: PriceOverrides): void {
    for (const [model, price] of Object.entries(overrides)) {
      if (price && Number.isFinite(price.input) && Number.isFinite(price.output)) {
        this.overrides.set(model.toLowerCase(), perToken(price));
      }
    }
  }

  /**
   * Cost in USD of one call, or `undefined` when the model is in neither the overrides nor the table.
   * `provider` is the `gen_ai.provider.name` (or legacy `gen_ai.system`) value when known.
   */
  cost(provider: string | undefined, model: string | undefined, usage: TokenUsage): number | undefined {
    if (!model) return undefined;
    const input = nonNegative(usage.inputTokens);
    const output = nonNegative(usage.outputTokens);
    const cacheRead = Math.min(nonNegative(usage.cacheReadTokens), input);
    const cacheWrite = Math.min(nonNegative(usage.cacheWriteTokens), input - cacheRead);

    const override = this.overrides.get(model.toLowerCase());
    const entry = override ?? this.lookup(provider, model);
    if (entry === null) return undefined;
    if (entry === "dynamic") return this.dynamicCost(provider, model, input, output, cacheRead, cacheWrite, usage);
    return (
      (input - cacheRead - cacheWrite) * entry.input +
      cacheRead * entry.cacheRead +
      cacheWrite * entry.cacheWrite +
      output * entry.output
    );
  }

  private lookup(provider: string | undefined, model: string): CacheEntry {
    const key = provider ? provider + "\u0000" + model : model;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    let entry: CacheEntry = null;
    try {
      const result = this.calc(provider, model, { input_tokens: MILLION, output_tokens: MILLION });
      if (result) {
        const prices = result.model_price;
        const values = [prices.input_mtok, prices.output_mtok, prices.cache_read_mtok, prices.cache_write_mtok];
        if (values.every((v) => v === undefined || typeof v === "number")) {
          const input = (prices.input_mtok as number | undefined) ?? 0;
          entry = perToken({
            input,
            output: (prices.output_mtok as number | undefined) ?? 0,
            cacheRead: prices.cache_read_mtok as number | undefined,
            cacheWrite: prices.cache_write_mtok as number | undefined,
          });
        } else {
          entry = "dynamic";
        }
      }
    } catch {
      entry = null;
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, entry);
    return entry;
  }

  private calc(provider: string | undefined, model: string, usage: Record<string, number>) {
    const providerId = provider ? (PROVIDER_IDS.get(provider.toLowerCase()) ?? provider.toLowerCase()) : undefined;
    if (providerId) {
      const result = calcPrice(usage, model, { providerId });
      if (result) return result;
    }
    return calcPrice(usage, model);
  }

  private dynamicCost(
    provider: string | undefined,
    model: string,
    input: number,
    output: number,
    cacheRead: number,
    cacheWrite: number,
    usage: TokenUsage,
  ): number | undefined {
    try {
      const result = this.calc(provider, model, {
        input_tokens: input,
        output_tokens: output,
        cache_read_tokens: cacheRead,
        cache_write_tokens: cacheWrite,
        output_reasoning_tokens: nonNegative(usage.reasoningTokens),
      });
      return result ? result.total_price : undefined;
    } catch {
      return undefined;
    }
  }
}

let defaultTable: PriceTable | undefined;

/** The process-wide table that {@link calculateCost} uses; overrides added to it apply everywhere. */
export function getDefaultPriceTable(): PriceTable {
  return (defaultTable ??= new PriceTable());
}

/** Cost in USD of one call by the default table, or `undefined` for an unknown model. */
export function calculateCost(provider: string | undefined, model: string | undefined, usage: TokenUsage): number | undefined {
  return getDefaultPriceTable().cost(provider, model, usage);
}

/** A USD amount as the decimal string with 6 decimals used on the wire and in the API: `"0.007500"`. */
export function formatCost(usd: number): string {
  if (!Number.isFinite(usd) || usd <= 0) return "0.000000";
  return usd.toFixed(6);
}

/**
 * Anthropic reports `input_tokens` without cache reads and writes; the GenAI convention counts them
 * in. Returns the total input in the convention's sense.
 */
export function anthropicInputTokens(inputTokens: number, cacheReadTokens = 0, cacheCreationTokens = 0): number {
  return nonNegative(inputTokens) + nonNegative(cacheReadTokens) + nonNegative(cacheCreationTokens);
}
