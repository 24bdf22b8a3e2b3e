/** The start of `text`, at most `maxCodePoints` long with an ellipsis when cut; never splits a surrogate pair. */
export function preview(text: string, maxCodePoints: number): string {
  if (text.length <= maxCodePoints) return text; // fewer UTF-16 units than the bound: fewer code points too
  const points = Array.from(text);
  return points.length > maxCodePoints ? `${points.slice(0, maxCodePoints - 1).join('')}…` : text;
}
