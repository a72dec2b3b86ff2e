// A first-fit, address-ordered free-list allocator with coalescing. The stub runtime only
// bumps, so models that are loaded and unloaded need their own allocator; it takes large chunks
// from the stub heap and never returns them. Out of memory is an error code, never a trap.
//
// Block layout: [size: usize (payload bytes, multiple of 16) | next: usize (free list) | pad]
// followed by the 16-byte aligned payload.

const HEADER: usize = 16;
const CHUNK: usize = 1 << 20;
const MAX_REQUEST: usize = 0x7000_0000;

let freeHead: usize = 0;
let heapTop: usize = 0; // end of the last chunk taken from the stub heap
let inUse: usize = 0;
let peakInUse: usize = 0;

@inline function sizeOf(block: usize): usize { return load<usize>(block); }
@inline function setSize(block: usize, s: usize): void { store<usize>(block, s); }
@inline function nextOf(block: usize): usize { return load<usize>(block, sizeof<usize>()); }
@inline function setNext(block: usize, n: usize): void { store<usize>(block, n, sizeof<usize>()); }

function insertFree(block: usize): void {
  let prev: usize = 0;
  let cur = freeHead;
  while (cur != 0 && cur < block) {
    prev = cur;
    cur = nextOf(cur);
  }
  setNext(block, cur);
  if (prev == 0) freeHead = block;
  else setNext(prev, block);
  // merge with the following block
  if (cur != 0 && block + HEADER + sizeOf(block) == cur) {
    setSize(block, sizeOf(block) + HEADER + sizeOf(cur));
    setNext(block, nextOf(cur));
  }
  // merge with the preceding block
  if (prev != 0 && prev + HEADER + sizeOf(prev) == block) {
    setSize(prev, sizeOf(prev) + HEADER + sizeOf(block));
    setNext(prev, nextOf(block));
  }
}

function grow(minPayload: usize): bool {
  const want = max<usize>(CHUNK, minPayload + HEADER);
  // Grow linear memory ourselves first so a refusal becomes an error code instead of the stub
  // runtime's trap; the stub then finds enough room and does not grow again.
  if (heapTop == 0) heapTop = heap.alloc(16) + 16;
  const need = heapTop + want + 256;
  const have = <usize>memory.size() << 16;
  if (need > have) {
    const pages = <i32>((need - have + 0xffff) >> 16);
    if (memory.grow(pages) < 0) return false;
  }
  const raw = heap.alloc(want);
  const block = (raw + 15) & ~<usize>15;
  const usable = ((raw + want) & ~<usize>15) - block;
  heapTop = raw + want;
  setSize(block, usable - HEADER);
  insertFree(block);
  return true;
}

/** Returns a 16-byte aligned block of at least `size` bytes, or 0 when memory is exhausted. */
export function alloc(size: usize): usize {
  if (size > MAX_REQUEST) return 0;
  const need = max<usize>((size + 15) & ~<usize>15, 16);
  for (let attempt = 0; attempt < 2; attempt++) {
    let prev: usize = 0;
    let cur = freeHead;
    while (cur != 0) {
      const s = sizeOf(cur);
      if (s >= need) {
        let next = nextOf(cur);
        if (s - need >= HEADER + 64) {
          const rest = cur + HEADER + need;
          setSize(rest, s - need - HEADER);
          setNext(rest, next);
          next = rest;
          setSize(cur, need);
        }
        if (prev == 0) freeHead = next;
        else setNext(prev, next);
        inUse += sizeOf(cur);
        if (inUse > peakInUse) peakInUse = inUse;
        return cur + HEADER;
      }
      prev = cur;
      cur = nextOf(cur);
    }
    if (!grow(need)) return 0;
  }
  return 0;
}

/** Like alloc, zero-filled. */
export function allocZeroed(size: usize): usize {
  const p = alloc(size);
  if (p != 0) memory.fill(p, 0, size);
  return p;
}

export function free(ptr: usize): void {
  if (ptr == 0) return;
  const block = ptr - HEADER;
  inUse -= sizeOf(block);
  insertFree(block);
}

export function bytesInUse(): usize { return inUse; }
export function peakBytesInUse(): usize { return peakInUse; }
export function resetPeak(): void { peakInUse = inUse; }
