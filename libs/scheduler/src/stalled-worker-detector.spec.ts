import { StalledWorkerDetector } from './stalled-worker-detector';

describe('StalledWorkerDetector', () => {
  it('calls a worker stuck once the same job waited through three idle checks', () => {
    const detector = new StalledWorkerDetector(3);
    expect(detector.observe(['a'], false)).toBe(false);
    expect(detector.observe(['a', 'b'], false)).toBe(false);
    expect(detector.observe(['a', 'b'], false)).toBe(true);
  });

  it('does not when the waiting jobs change (they are being taken)', () => {
    const detector = new StalledWorkerDetector(3);
    expect(detector.observe(['a'], false)).toBe(false);
    expect(detector.observe(['b'], false)).toBe(false);
    expect(detector.observe(['c'], false)).toBe(false);
    expect(detector.observe([], false)).toBe(false);
  });

  it('does not while the worker runs or started a job in between (busy, not stuck)', () => {
    const detector = new StalledWorkerDetector(3);
    expect(detector.observe(['a'], false)).toBe(false);
    expect(detector.observe(['a'], false)).toBe(false);
    expect(detector.observe(['a'], true)).toBe(false);
    expect(detector.observe(['a'], false)).toBe(false);
    expect(detector.observe(['a'], false)).toBe(false);
    expect(detector.observe(['a'], false)).toBe(true);
  });

  it('starts afresh after a reset', () => {
    const detector = new StalledWorkerDetector(2);
    expect(detector.observe(['a'], false)).toBe(false);
    detector.reset();
    expect(detector.observe(['a'], false)).toBe(false);
    expect(detector.observe(['a'], false)).toBe(true);
  });
});
