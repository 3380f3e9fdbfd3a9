/** A part of a turn, as the API returns it. */
export interface Part {
  type: 'TEXT' | 'IMAGE_URL' | 'TOOL_CALL' | 'REASONING';
  text: string | null;
  imageUrl: string | null;
  id: string | null;
  name: string | null;
  arguments: string | null;
}

const prettyJson = (text: string): string => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
};

/** Text as text, images as images, tool calls with their arguments, reasoning folded away. */
export function ContentPartView({ part }: { part: Part }) {
  switch (part.type) {
    case 'TEXT':
      return <div class="part-text">{part.text}</div>;
    case 'IMAGE_URL':
      return part.imageUrl ? (
        <img class="part-image" src={part.imageUrl} alt="attached to this turn" loading="lazy" />
      ) : null;
    case 'REASONING':
      return (
        <details class="part-reasoning">
          <summary>Reasoning</summary>
          <div class="part-text">{part.text}</div>
        </details>
      );
    case 'TOOL_CALL':
      return (
        <div class="part-tool-call">
          <div>
            Tool call <code>{part.name}</code> <span class="muted small">{part.id}</span>
          </div>
          <pre>{prettyJson(part.arguments ?? '')}</pre>
        </div>
      );
  }
}
