/** The highest position (`seq`) among `items`, if the server numbers them. */
export function newestSeq(items: ReadonlyArray<{ seq?: number }>): number | undefined {
  const seqs = items.map((item) => item.seq).filter((seq): seq is number => typeof seq === 'number');
  return seqs.length > 0 ? Math.max(...seqs) : undefined;
}
