// One implementation for every suite and for other modules' tests: libs/testing.
export {
  createConsultation,
  createUser,
  messageHistory,
  quietLifecycle,
  systemMessagesStored,
  type TestUser,
} from '@numerai/testing';
