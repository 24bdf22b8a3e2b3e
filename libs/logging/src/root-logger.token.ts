/** Injection token of the app's root pino logger (`LoggingModule.forRoot`). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
