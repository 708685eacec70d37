/**
 * Vectors as compact binary: little-endian float32, 4 bytes a value (a 1536-value vector is 6 KB,
 * against ~30 KB as a JSON list). Pinecone stores float32 too, so nothing is lost on the way.
 */
export function vectorToBytes(vector: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  vector.forEach((value, i) => {
    view.setFloat32(i * 4, value, true);
  });
  return bytes;
}

export function bytesToVector(bytes: Uint8Array): number[] {
  if (bytes.byteLength % 4 !== 0)
    throw new Error(`a float32 vector cannot be ${bytes.byteLength} bytes long`);
  // A DataView reads at any byte offset, whatever the alignment of the buffer the SDK handed back.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

/** The values a float32 store gives back: a fresh vector and a cached one are then identical. */
export function roundToFloat32(vector: readonly number[]): number[] {
  return vector.map((value) => Math.fround(value));
}
