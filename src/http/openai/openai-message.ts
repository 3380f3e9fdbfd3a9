import { z } from 'zod';
import { messageSchema } from '../../core/completion-request.js';
import type { ContentPart } from '../../core/messages.js';
import { isEmpty, isNullish, neutralOnly, noTools } from './openai-parameters.js';

// Prompt-cache breakpoints are a caching hint: accepted on a part and ignored.
const cacheHint = z.unknown().optional();

const textPartSchema = z.strictObject({
  type: z.literal('text'),
  text: z.string(),
  prompt_cache_breakpoint: cacheHint,
});
const imagePartSchema = z.strictObject({
  type: z.literal('image_url'),
  image_url: z.strictObject({
    url: z.string(),
    // How finely the provider looks at the image; not portable, so ignored.
    detail: z.enum(['auto', 'low', 'high', 'original']).optional(),
  }),
  prompt_cache_breakpoint: cacheHint,
});
const contentPartSchema = z.discriminatedUnion('type', [textPartSchema, imagePartSchema], {
  error: 'must be a part of type "text" or "image_url" (audio, file and refusal parts are not supported)',
});

const toContentPart = (part: z.infer<typeof contentPartSchema>): ContentPart =>
  part.type === 'text'
    ? { type: 'text', text: part.text }
    : { type: 'image_url', image_url: { url: part.image_url.url } };

/**
 * One OpenAI chat message. Its OpenAI-only fields are checked here; it is then mapped to
 * our message shape and checked again by the shared `messageSchema` (image URL rules…).
 * `developer` is OpenAI's newer name for `system`; `name` is accepted and not used.
 */
export const openaiMessageSchema = z
  .strictObject({
    role: z.enum(['system', 'developer', 'user', 'assistant'], {
      error:
        'must be "system", "developer", "user" or "assistant" (tool and function messages are not supported)',
    }),
    content: z.preprocess(
      (content) => (typeof content === 'string' ? [{ type: 'text', text: content }] : content),
      z
        .array(contentPartSchema, { error: 'must be a string or an array of content parts' })
        .min(1, 'must have at least one part'),
    ),
    name: z.string().optional(),
    refusal: neutralOnly(isNullish, 'is not supported in a request message'),
    tool_calls: neutralOnly(isEmpty, noTools),
    function_call: neutralOnly(isNullish, noTools),
    tool_call_id: neutralOnly(isNullish, noTools),
    audio: neutralOnly(isNullish, 'is not supported: audio is not available'),
  })
  .transform(({ role, content }) => ({
    role: role === 'developer' ? 'system' : role,
    // Typed as the shared schema's input (it takes any content and checks it again).
    content: content.map(toContentPart) as unknown,
  }))
  .pipe(messageSchema);
