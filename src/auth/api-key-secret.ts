import { createHash, randomBytes } from 'node:crypto';

const secretPrefix = 'sy-';
/** Characters of the secret kept in clear to recognise a key in listings. */
const visiblePrefixLength = 10;

/** A new random key secret: `sy-` and 32 URL-safe characters (192 bits). */
export const generateSecret = (): string => `${secretPrefix}${randomBytes(24).toString('base64url')}`;

/** Keys are high-entropy random strings, so one SHA-256 is enough (no slow KDF on the hot path). */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export const visiblePrefixOf = (secret: string): string => secret.slice(0, visiblePrefixLength);
