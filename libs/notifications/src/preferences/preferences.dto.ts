import { BadRequestException } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsObject } from 'class-validator';
import { MaxNesting } from '@numerai/common';
import type { ChannelPreference } from './notification-preferences.entity';
import { MAX_PREFERENCE_TYPES, NOTIFICATION_TYPE_PATTERN } from './notification-types';

/** `{types: {<notification_type>: {in_app, push}}}`; the map's keys are checked by `parsePreferenceTypes`. */
export class PreferencesDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: {
      type: 'object',
      properties: { in_app: { type: 'boolean' }, push: { type: 'boolean' } },
      required: ['in_app', 'push'],
    },
    example: { daily_reading: { in_app: false, push: false } },
  })
  @IsObject({ message: 'types must be an object of {in_app, push} by notification type' })
  @MaxNesting(2)
  types!: Record<string, unknown>;
}

/** Validates the map class-validator cannot (dynamic keys); a 400 naming every bad entry. */
export function parsePreferenceTypes(types: Record<string, unknown>): Record<string, ChannelPreference> {
  const entries = Object.entries(types);
  if (entries.length > MAX_PREFERENCE_TYPES) {
    throw new BadRequestException([`types accepts at most ${MAX_PREFERENCE_TYPES} notification types`]);
  }
  const problems: string[] = [];
  const parsed: Record<string, ChannelPreference> = {};
  for (const [type, value] of entries) {
    if (!NOTIFICATION_TYPE_PATTERN.test(type)) {
      problems.push(`types keys must be 1-64 lowercase letters, digits or _ (got "${type.slice(0, 64)}")`);
      continue;
    }
    const channel = value as Record<string, unknown> | null;
    const valid =
      typeof channel === 'object' &&
      channel !== null &&
      !Array.isArray(channel) &&
      Object.keys(channel).length === 2 &&
      typeof channel.in_app === 'boolean' &&
      typeof channel.push === 'boolean';
    if (!valid) {
      problems.push(`types.${type} must be exactly {in_app: boolean, push: boolean}`);
      continue;
    }
    parsed[type] = { in_app: channel.in_app as boolean, push: channel.push as boolean };
  }
  if (problems.length > 0) throw new BadRequestException(problems);
  return parsed;
}
