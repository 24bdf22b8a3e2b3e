import { OrderedStream } from './ordered-stream';

const item = (seq: number | undefined, id = `m${seq}`) => ({ id, seq });
const ids = (items: Array<{ id: string }>) => items.map((i) => i.id);

describe('OrderedStream', () => {
  it('delivers in seq order, each once, and resumes after the highest seq held without a gap', () => {
    const stream = new OrderedStream({ seq: 0 });
    expect(ids(stream.offer(item(1)))).toEqual(['m1']);
    expect(ids(stream.offer(item(3)))).toEqual([]); // held behind the gap
    expect(stream.gap).toEqual({ after: 1, before: 3 });
    expect(stream.resumePoint.seq).toBe(1);
    expect(ids(stream.offer(item(2)))).toEqual(['m2', 'm3']);
    expect(stream.gap).toBeUndefined();
    expect(ids(stream.offer(item(2)))).toEqual([]);
    expect(ids(stream.offer(item(3)))).toEqual([]);
    expect(stream.resumePoint).toEqual({ seq: 3, id: 'm3' });
  });

  it('drops a repeat of a held item and a repeated id', () => {
    const stream = new OrderedStream({ seq: 0 });
    stream.offer(item(2));
    expect(stream.offer(item(2))).toEqual([]);
    expect(ids(stream.offer(item(1)))).toEqual(['m1', 'm2']);
    expect(stream.offer({ id: 'm1', seq: 9 })).toEqual([]);
  });

  it('starts at the first item when it has no resume point', () => {
    const stream = new OrderedStream();
    expect(stream.resumePoint).toEqual({ seq: undefined, id: undefined });
    expect(ids(stream.offer(item(41)))).toEqual(['m41']);
    expect(stream.resumePoint.seq).toBe(41);
  });

  it('passes items without seq through in arrival order, de-duplicated by id (older servers)', () => {
    const stream = new OrderedStream({ id: 'h1' });
    expect(ids(stream.offer(item(undefined, 'a')))).toEqual(['a']);
    expect(stream.offer(item(undefined, 'a'))).toEqual([]);
    expect(ids(stream.offer({ id: 'b', seq: -1 }))).toEqual(['b']); // not a position: ignored as one
    expect(stream.resumePoint).toEqual({ seq: undefined, id: 'b' });
  });

  it('advanceTo moves the resume point forward only, releasing held items that follow it', () => {
    const stream = new OrderedStream({ seq: 0 });
    stream.offer(item(6));
    expect(ids(stream.advanceTo(5))).toEqual(['m6']);
    expect(stream.advanceTo(2)).toEqual([]);
    expect(stream.resumePoint.seq).toBe(6);
  });

  it('release gives a gap up: held items go out in order, the resume point stays below the gap', () => {
    const stream = new OrderedStream({ seq: 1 });
    stream.offer(item(5));
    stream.offer(item(4));
    expect(ids(stream.release())).toEqual(['m4', 'm5']);
    expect(stream.resumePoint.seq).toBe(1);
    expect(stream.degraded).toBe(true);
    expect(ids(stream.offer(item(7)))).toEqual(['m7']); // no more holding while degraded
    expect(stream.offer(item(5))).toEqual([]); // delivered already
    // The next replay brings the missing ones: the resume point runs over everything delivered.
    expect(ids(stream.offer(item(2)))).toEqual(['m2']);
    expect(ids(stream.offer(item(3)))).toEqual(['m3']);
    expect(stream.resumePoint.seq).toBe(5);
    expect(ids(stream.offer(item(6)))).toEqual(['m6']);
    expect(stream.resumePoint.seq).toBe(7);
    expect(stream.degraded).toBe(false);
  });

  it('bounds what it holds: past maxHeld the highest are dropped (a page brings them again)', () => {
    const stream = new OrderedStream({ seq: 0 }, { maxHeld: 3 });
    for (const seq of [2, 3, 4, 5]) stream.offer(item(seq));
    expect(ids(stream.offer(item(1)))).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(ids(stream.offer(item(5)))).toEqual(['m5']);
  });
});
