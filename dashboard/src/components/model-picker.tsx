/** Chooses the pool: the configured chat models, in the order they were ticked. */
export function ModelPicker({
  models,
  chosen,
  onChange,
}: {
  models: string[];
  chosen: string[];
  onChange: (chosen: string[]) => void;
}) {
  return (
    <fieldset class="model-picker">
      <legend>Model pool</legend>
      {models.length === 0 ? <p class="muted small">No chat model is configured.</p> : null}
      <div class="model-options">
        {models.map((id) => (
          <label key={id} class="check">
            <input
              type="checkbox"
              checked={chosen.includes(id)}
              onChange={(event) =>
                onChange(event.currentTarget.checked ? [...chosen, id] : chosen.filter((one) => one !== id))
              }
            />
            <code>{id}</code>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
