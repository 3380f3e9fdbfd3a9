/**
 * Model families whose provider can search the web for them, through the tool our adapter
 * passes (see `native-search-setup.ts`), from each provider's documentation:
 * - OpenAI, the Responses API's `web_search` tool: gpt-4o, gpt-4o-mini, gpt-4.1 and
 *   gpt-4.1-mini (not nano), gpt-5 (not its `-chat` or `-codex` variants) and later, o3,
 *   o4-mini. Not the `*-search-preview` models: they search on Chat Completions, not here.
 * - Anthropic, the `web_search_20250305` server tool: Claude 3.5 Sonnet and Haiku, 3.7
 *   Sonnet, and the 4.x families onwards.
 * - Google, Google Search grounding: Gemini 2.0 Flash, 2.5 and later (not 2.0 Flash-Lite).
 * A config `models:` entry with `capabilities` overrides this for one model.
 */
const searchPatterns: Readonly<Record<string, RegExp>> = {
  openai:
    /^(gpt-4o(-mini)?(-\d{4}-\d{2}-\d{2})?$|gpt-4o-2024|gpt-4\.1(?!-nano)|gpt-5(?!.*-(chat|image|codex|audio|realtime))|gpt-6|o3(?!-mini|-deep)|o4-mini(?!-deep))/,
  anthropic: /^claude-(3-5-sonnet|3-5-haiku|3-7-sonnet|sonnet-4|opus-4|haiku-4|sonnet-5|opus-5|fable)/,
  google: /^gemini-(2\.0-flash(?!-lite)|2\.5|3)(?!.*(tts|embedding|live|image))/,
};

/** Whether a shipped model of a built-in provider can search the web natively. */
export const searchesNatively = (provider: string, model: string): boolean =>
  searchPatterns[provider]?.test(model) ?? false;
