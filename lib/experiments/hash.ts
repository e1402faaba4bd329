/** Kept for existing imports: the canonical JSON + hash module is lib/util/hash.ts. */
export { canonicalJson, configHash, sha256Hex, fileSha256 } from '../util/hash';
