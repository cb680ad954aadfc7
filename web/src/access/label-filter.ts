// The resource search's label filter: "env=prod, team" → ["env=prod", "team"] (key=value, or a key alone), as the API takes it.
export const MAX_LABEL_FILTERS = 16;

export function parseLabelFilter(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .slice(0, MAX_LABEL_FILTERS);
}
