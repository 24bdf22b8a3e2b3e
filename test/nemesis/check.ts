import { writeFileSync } from 'node:fs';
import type { Entry } from './history';
import type { DbSnapshot } from './snapshot';
import { checkMessages, checkNotifications } from './check/messages';
import { checkPresence } from './check/presence';
import { checkReaders, deliveryLag } from './check/readers';
import { checkSessions } from './check/sessions';
import { checkHealth, checkMarkers, checkReminders, checkUnread } from './check/state';
import { CheckSettings, DEFAULT_SETTINGS, Finding } from './check/types';

export type { Finding };

/** Every invariant of the run, judged from the history and the final database. */
export function check(entries: Entry[], db: DbSnapshot, settings: CheckSettings = DEFAULT_SETTINGS): Finding[] {
  const input = { entries, db, settings };
  const unread = new Map<string, number>();
  for (const row of db.notifications) if (!row.is_read) unread.set(row.user, (unread.get(row.user) ?? 0) + 1);
  const chatReaders = checkReaders(input, 'chat');
  chatReaders.note = deliveryLag(entries);
  return [
    ...checkMessages(input),
    chatReaders,
    checkNotifications(input),
    checkReaders(input, 'notifications'),
    checkUnread(input, unread),
    checkMarkers(input),
    ...checkPresence(input),
    checkSessions(input),
    checkReminders(input),
    ...checkHealth(input),
  ];
}

export function violationCount(findings: Finding[]): number {
  return findings.reduce((sum, finding) => sum + finding.violations.length, 0);
}

/** The verdict as a Markdown table: invariant, checked, violations, first example. */
export function verdictTable(findings: Finding[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = ['| invariant | checked | violations | first example |', '|---|---:|---:|---|'];
  for (const finding of findings) {
    const example = finding.violations[0] ?? (finding.note ? `— (${finding.note})` : '—');
    lines.push(`| ${cell(finding.invariant)} | ${finding.checked} | ${finding.violations.length} | ${cell(example)} |`);
  }
  return lines.join('\n');
}

export function writeVerdict(path: string, header: string[], findings: Finding[]): string {
  const total = violationCount(findings);
  const text = [
    ...header,
    '',
    verdictTable(findings),
    '',
    total === 0 ? '**Verdict: 0 violations.**' : `**Verdict: ${total} violation(s).**`,
    '',
  ].join('\n');
  writeFileSync(path, text);
  writeFileSync(path.replace(/\.md$/, '.json'), JSON.stringify(findings, null, 2));
  return text;
}
