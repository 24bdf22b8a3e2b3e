import { builtInClientFrames, type ClientFrameMap } from '@numerai/protocol';

/** `{"type":"auth","token":"…"}`: renews the connection with a fresh token for the same user (every endpoint). */
export const AuthFrame = builtInClientFrames.auth;
export type AuthFrame = ClientFrameMap['auth'];
