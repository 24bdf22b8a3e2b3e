/** The roles a user can have: the users feature stores one, every verified principal carries it. */
export const USER_ROLES = ['user', 'numerologist', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];
