// One implementation for every suite and for other modules' tests: apps/api/testing.
export {
  createConsultation,
  createUser,
  messageHistory,
  quietLifecycle,
  systemMessagesStored,
  type TestUser,
} from '@numerai/testing';
