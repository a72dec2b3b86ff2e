// The last error of this instance: a stable code plus a short ASCII message written into a
// fixed buffer, so reporting an error never allocates (a fuzzer may trigger millions).
import { ErrorCode } from "../format/spec";

const MESSAGE_CAP: i32 = 240;
const message = memory.data(256);
let messageLen: i32 = 0;
let lastCode: i32 = 0;

export function lastErrorCode(): i32 {
  return lastCode;
}
export function messagePtr(): usize {
  return message;
}
export function messageLength(): i32 {
  return messageLen;
}
export function clearError(): void {
  lastCode = ErrorCode.Ok;
  messageLen = 0;
}

function put(c: i32): void {
  if (messageLen < MESSAGE_CAP) {
    store<u8>(message + <usize>messageLen, <u8>c);
    messageLen++;
  }
}

function putText(s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    put(c < 128 ? c : 63);
  }
}

function putInt(v: i64): void {
  if (v < 0) {
    put(45);
    v = -v;
  }
  let digits: i32 = 1;
  let p: i64 = 10;
  while (digits < 19 && p <= v) {
    p *= 10;
    digits++;
  }
  for (let d = digits - 1; d >= 0; d--) {
    let q: i64 = 1;
    for (let j = 0; j < d; j++) q *= 10;
    put(48 + <i32>((v / q) % 10));
  }
}

/** Records an error and returns its negated code, so call sites can `return fail(...)`. */
export function fail(code: ErrorCode, text: string): i32 {
  lastCode = code;
  messageLen = 0;
  putText(text);
  return -code;
}

/** fail() with a number appended, e.g. fail(BadTensor, "tensor ", id, ": rank > 4"). */
export function failAt(code: ErrorCode, text: string, value: i64, tail: string = ""): i32 {
  lastCode = code;
  messageLen = 0;
  putText(text);
  putInt(value);
  putText(tail);
  return -code;
}

/** Appends ": <n>" style detail to the current message. */
export function appendInt(text: string, value: i64): void {
  putText(text);
  putInt(value);
}
