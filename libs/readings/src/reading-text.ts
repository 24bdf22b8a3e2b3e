import type { ReadingNumbers } from './reading.entity';
import meanings from './meanings.json';

interface Meaning {
  keyword: string;
  day: string;
  trait: string;
}

const TABLE = meanings as Record<string, Meaning>;

function meaning(n: number): Meaning {
  const found = TABLE[String(n)];
  if (!found) throw new Error(`meanings.json has no entry for ${n}`);
  return found;
}

/** The reading's short text, assembled from the meanings table (data, editable without code). */
export function readingText(numbers: ReadingNumbers): string {
  const day = meaning(numbers.personal_day);
  const sentences = [
    `Personal day ${numbers.personal_day} (${day.keyword}): ${day.day}.`,
    `Within your personal year ${numbers.personal_year}, month ${numbers.personal_month}.`,
    `Life path ${numbers.life_path}: you are ${meaning(numbers.life_path).trait}.`,
  ];
  if (numbers.expression !== null) {
    sentences.push(`Expression ${numbers.expression}: your name speaks of ${meaning(numbers.expression).keyword}.`);
  }
  return sentences.join(' ');
}
