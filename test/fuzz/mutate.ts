// Structure-aware mutations of a valid container. Most mutants get a fresh checksum so the
// validator's deeper checks are exercised, not just the CRC.
import { Format, Header } from "../../assembly/format/spec.ts";
import { resealChecksum } from "../../src/format/writer.ts";
import type { Rng } from "../helpers/rng.ts";

const INTERESTING = [0, 1, 2, 3, 4, 15, 16, 17, 63, 64, 127, 128, 255, 256, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 1 << 24, (1 << 24) + 1, 1 << 28];

export function mutate(seed: Uint8Array, rng: Rng): Uint8Array {
  let b = seed.slice();
  const dv = () => new DataView(b.buffer);
  const rounds = rng.int(1, 4);
  for (let r = 0; r < rounds && b.length >= 4; r++) {
    const kind = rng.int(0, 9);
    if (kind <= 2) {
      b[rng.int(0, b.length - 1)] ^= 1 << rng.int(0, 7);
    } else if (kind <= 5) {
      // a u32 field somewhere in the header or the tables gets an interesting value
      const tables = Math.min(b.length - 4, Format.HeaderSize + 64 * 12);
      const off = rng.int(0, tables >> 2) * 4;
      if (off + 4 <= b.length) dv().setUint32(off, INTERESTING[rng.int(0, INTERESTING.length - 1)] + (rng.next() < 0.2 ? b.length : 0), true);
    } else if (kind === 6) {
      const off = rng.int(0, b.length - 2);
      dv().setUint16(off, rng.int(0, 0xffff), true);
    } else if (kind === 7) {
      b = b.slice(0, rng.int(0, b.length - 1));
    } else if (kind === 8) {
      const grown = new Uint8Array(b.length + rng.int(1, 64));
      grown.set(b);
      b = grown;
    } else {
      b[rng.int(0, b.length - 1)] = rng.int(0, 255);
    }
  }
  if (b.length >= Format.HeaderSize && rng.next() < 0.9) {
    if (rng.next() < 0.7) new DataView(b.buffer).setUint32(Header.FileLen, b.length, true);
    resealChecksum(b);
  }
  return b;
}
