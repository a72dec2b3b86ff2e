// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), slice-by-1 with a lazily built table.
const table = memory.data(1024);
let ready = false;

function build(): void {
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    store<u32>(table + (<usize>n << 2), c);
  }
  ready = true;
}

export function crc32(ptr: usize, len: usize): u32 {
  if (!ready) build();
  let c: u32 = 0xffffffff;
  const end = ptr + len;
  for (let p = ptr; p < end; p++) {
    c = load<u32>(table + (<usize>((c ^ load<u8>(p)) & 0xff) << 2)) ^ (c >>> 8);
  }
  return c ^ 0xffffffff;
}
