/**
 * The sync protocol's u64 (timestamps): base64 of its 8 little-endian bytes.
 *
 * @internal
 * @module
 */

/** Encode a u64 for the wire. */
export function encodeU64(n: bigint): string {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b.toString("base64");
}

/** Decode a u64 from the wire. */
export function decodeU64(s: string): bigint {
  return Buffer.from(s, "base64").readBigUInt64LE();
}
