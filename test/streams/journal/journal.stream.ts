import { declareStream, describe, frame, int, obj, opt, str, uuid } from '@numerai/protocol';

/**
 * A test-only fourth stream: each user's journal, one entry at a time. Declared like chat and
 * notifications (libs/protocol endpoints.ts); with its source (journal.source.ts) it is all
 * there is to it — endpoint, resume, replay, order and cross-instance delivery come from
 * StreamModule, and it passes the same suite (test/streams/support/stream-suite.ts).
 */
export const journalStream = declareStream({
  endpoint: 'test-journal',
  frame: frame('journal_entry', 'An entry of your journal.', {
    data: obj({
      id: uuid(),
      text: str(),
      seq: opt(describe(int({ minimum: 1 }), 'position: 1, 2, 3, … with no gap')),
    }),
  }),
  item: 'journal entry',
  key: { user: true, describe: 'the user id' },
  resume: { seq: 'last_seq', id: 'last_entry_id', unknownId: 'last_entry_id is not one of your journal entries' },
  page: { path: '/api/test-journal', size: 100 },
});
