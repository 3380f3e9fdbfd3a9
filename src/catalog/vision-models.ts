/**
 * Model families that accept images. The price data has no capabilities, so this small
 * table is ours; a config `models:` entry with `capabilities` overrides it for one model.
 */
const visionPatterns: Readonly<Record<string, RegExp>> = {
  openai:
    /^(gpt-4o(?!-(audio|realtime|transcribe|mini-(audio|realtime|transcribe|tts)))|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-4-turbo|gpt-4-vision|gpt-5(?!.*-image)|gpt-6|o1(?!-mini|-preview)|o3(?!-mini)|o4-mini)/,
  anthropic: /^claude-(3|haiku-4|sonnet-4|opus-4|sonnet-5|opus-5|fable)/,
  google: /^(gemini-(1\.5|2|3)(?!.*(tts|embedding|live))|gemma-3|gemma-4)/,
  xai: /^(grok-2-vision|grok-4)/,
  mistral: /^(pixtral|mistral-(medium|small|large)-(3|25|26))/,
};

/** Whether a shipped model of a built-in provider takes image input. */
export const acceptsImages = (provider: string, model: string): boolean =>
  visionPatterns[provider]?.test(model) ?? false;
