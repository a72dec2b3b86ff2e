//! The tensor wire formats of the HTTP API, the same as src/serve/wire.ts (the Node gateway and
//! the Worker), so one client talks to every target:
//!
//! JSON:   {"inputs": {"x": {"shape": [batch, ...], "data": [...], "dtype"?: "float32"}}}
//!         (or "inputs": [ {...}, ... ] by position; "shape" optional, batch inferred; "data"
//!         may be nested up to 5 levels; an input may also be given as a bare array)
//! Binary: application/x-edgeq-tensors, little-endian: "EQT1", u32 count, then per tensor: u8
//!         dtype, u8 rank (1..5), u16 nameLen, u32 dims[rank], name (UTF-8), zero padding to 4
//!         bytes, data, zero padding to 4 bytes.
//!
//! Everything a request can get wrong is checked here, against the model's IoInfos cached at
//! load, before any byte reaches the wasm instance; failures are a WireError (HTTP status +
//! message) so the server answers 4xx and keeps going.

use serde_json::Value;

use crate::abi::{dtype_name, dtype_size, IoInfo, OutputTensor, DTYPE_F32, DTYPE_I32, DTYPE_I8};

pub const BINARY_TYPE: &str = "application/x-edgeq-tensors";
const MAGIC: &[u8; 4] = b"EQT1";
const MAX_RANK: usize = 5;
const MAX_TENSORS: u32 = 64;

#[derive(Debug)]
pub struct WireError {
    pub status: u16,
    pub message: String,
}

fn bad(message: String) -> WireError {
    WireError { status: 400, message }
}

/// A named tensor as it travels: full shape including the batch (empty when a JSON request
/// left it out), data as little-endian bytes of `dtype`.
pub struct WireTensor {
    pub name: String,
    pub dtype: u32,
    pub shape: Vec<u64>,
    pub data: Vec<u8>,
}

impl WireTensor {
    fn len(&self) -> usize {
        self.data.len() / dtype_size(self.dtype).unwrap_or(1)
    }
}

fn dtype_by_name(s: &str) -> Option<u32> {
    match s {
        "float32" => Some(DTYPE_F32),
        "int8" => Some(DTYPE_I8),
        "int32" => Some(DTYPE_I32),
        _ => None,
    }
}

fn list(infos: &[IoInfo]) -> String {
    infos.iter().map(|i| format!("\"{}\"", i.name)).collect::<Vec<_>>().join(", ")
}

fn shape_str<T: ToString>(s: &[T]) -> String {
    s.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(",")
}

/// Parses a JSON request body and types its values by the model's inputs (JSON numbers carry
/// no dtype): the `parseJsonRequest` + `typeJsonInputs` pair of wire.ts.
pub fn parse_json_request(body: &[u8], inputs: &[IoInfo]) -> Result<Vec<WireTensor>, WireError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| bad(format!("malformed JSON: {e}")))?;
    let inputs_v = match &v {
        Value::Object(o) if o.contains_key("inputs") => &o["inputs"],
        _ => return Err(bad("expected {\"inputs\": {...}}".into())),
    };
    match inputs_v {
        Value::Object(o) => o.iter().map(|(k, t)| json_tensor(&Key::Name(k), t, inputs)).collect(),
        Value::Array(a) => a.iter().enumerate().map(|(i, t)| json_tensor(&Key::Position(i), t, inputs)).collect(),
        _ => Err(bad("\"inputs\" must be an object or array".into())),
    }
}

enum Key<'a> {
    Name(&'a str),
    Position(usize),
}

impl std::fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Name(n) => f.write_str(n),
            Key::Position(p) => write!(f, "{p}"),
        }
    }
}

/// Flattens nested arrays up to `depth` levels, as JavaScript's `Array.prototype.flat(depth)`.
fn flatten<'a>(a: &'a [Value], depth: usize, out: &mut Vec<&'a Value>) {
    for v in a {
        match v {
            Value::Array(inner) if depth > 0 => flatten(inner, depth - 1, out),
            other => out.push(other),
        }
    }
}

fn json_tensor(key: &Key, v: &Value, inputs: &[IoInfo]) -> Result<WireTensor, WireError> {
    let (data, shape, dtype, name) = match v {
        Value::Array(_) => (Some(v), None, None, None),
        Value::Object(o) => (o.get("data"), o.get("shape"), o.get("dtype"), o.get("name")),
        _ => return Err(bad(format!("input {key} must be an object {{\"data\": [...]}} or an array"))),
    };
    let Some(Value::Array(data)) = data else {
        return Err(bad(format!("input {key}: \"data\" must be an array of numbers")));
    };
    let mut flat = Vec::with_capacity(data.len());
    flatten(data, MAX_RANK, &mut flat);
    let shape: Vec<u64> = match shape {
        None => Vec::new(),
        Some(s) => {
            let dims: Option<Vec<u64>> = s.as_array().and_then(|a| a.iter().map(positive_integer).collect());
            match dims {
                Some(d) if (1..=MAX_RANK).contains(&d.len()) => d,
                _ => return Err(bad(format!("input {key}: \"shape\" must be 1..{MAX_RANK} positive integers"))),
            }
        }
    };
    let dtype = match dtype {
        None => None,
        Some(d) => match d.as_str().and_then(dtype_by_name) {
            Some(t) => Some(t),
            None => return Err(bad(format!("input {key}: dtype must be one of float32, int8, int32"))),
        },
    };
    let mut nums = Vec::with_capacity(flat.len());
    for (i, x) in flat.iter().enumerate() {
        match x.as_f64() {
            Some(n) => nums.push(n),
            None => return Err(bad(format!("input {key}[{i}] is {x}, not a number"))),
        }
    }
    let info = match key {
        Key::Position(p) => match inputs.get(*p) {
            Some(info) => Some(info),
            None => return Err(bad(format!("the model takes {} input(s), got position {p}", inputs.len()))),
        },
        Key::Name(n) => inputs.iter().find(|i| i.name == *n),
    };
    let Some(info) = info else {
        // not an input of this model: bind_inputs names it in its error
        let name = match key {
            Key::Name(n) => n.to_string(),
            Key::Position(p) => name.and_then(|n| n.as_str()).map_or(format!("#{p}"), str::to_string),
        };
        return Ok(WireTensor { name, dtype: dtype.unwrap_or(DTYPE_F32), shape, data: Vec::new() });
    };
    let dtype = dtype.unwrap_or(info.dtype);
    let mut bytes = Vec::with_capacity(nums.len() * 4);
    for (i, x) in nums.iter().enumerate() {
        let integer = x.fract() == 0.0;
        match dtype {
            // f64 → f32 rounds to nearest like a Float32Array store; overflow becomes ±Infinity
            // and bind_inputs rejects it as non-finite
            DTYPE_F32 => bytes.extend_from_slice(&(*x as f32).to_le_bytes()),
            DTYPE_I8 if integer && (-128.0..=127.0).contains(x) => bytes.push(*x as i8 as u8),
            DTYPE_I32 if integer && (-2147483648.0..=2147483647.0).contains(x) => bytes.extend_from_slice(&(*x as i32).to_le_bytes()),
            _ => return Err(bad(format!("input \"{}\"[{i}] = {x} is not an {} value", info.name, dtype_name(dtype)))),
        }
    }
    Ok(WireTensor { name: info.name.clone(), dtype, shape, data: bytes })
}

fn positive_integer(v: &Value) -> Option<u64> {
    let x = v.as_f64()?;
    (x >= 1.0 && x.fract() == 0.0 && x <= 9007199254740991.0).then_some(x as u64)
}

/// Parses a binary tensor frame; every length is checked against the buffer before reading.
pub fn decode_tensors(buf: &[u8]) -> Result<Vec<WireTensor>, WireError> {
    let need = |end: u64| -> Result<(), WireError> {
        if end > buf.len() as u64 {
            Err(bad(format!("binary tensors truncated: need {end} bytes, have {}", buf.len())))
        } else {
            Ok(())
        }
    };
    let u16_at = |o: usize| u16::from_le_bytes([buf[o], buf[o + 1]]);
    let u32_at = |o: usize| u32::from_le_bytes(buf[o..o + 4].try_into().unwrap());
    need(8)?;
    if &buf[0..4] != MAGIC {
        return Err(bad("binary body does not start with \"EQT1\"".into()));
    }
    let count = u32_at(4);
    if count > MAX_TENSORS {
        return Err(bad(format!("binary body declares {count} tensors (at most {MAX_TENSORS})")));
    }
    let mut off = 8usize;
    let mut out = Vec::with_capacity(count as usize);
    for t in 0..count {
        need(off as u64 + 4)?;
        let (dtype, rank, name_len) = (buf[off] as u32, buf[off + 1] as usize, u16_at(off + 2) as usize);
        let Some(size) = dtype_size(dtype) else {
            return Err(bad(format!("tensor {t}: unknown dtype {dtype}")));
        };
        if !(1..=MAX_RANK).contains(&rank) {
            return Err(bad(format!("tensor {t}: rank {rank} outside 1..{MAX_RANK}")));
        }
        off += 4;
        need((off + 4 * rank + name_len) as u64)?;
        let shape: Vec<u64> = (0..rank).map(|i| u32_at(off + 4 * i) as u64).collect();
        off += 4 * rank;
        let name = String::from_utf8_lossy(&buf[off..off + name_len]).into_owned();
        off = (off + name_len + 3) & !3;
        // dims are u32 and at most 5 of them: the product of the first ones fits u64, and the
        // checked product catches the rest
        let bytes = shape.iter().try_fold(size as u64, |a, d| a.checked_mul(*d));
        let bytes = match bytes {
            Some(b) if shape.iter().all(|d| *d >= 1) => b,
            _ => return Err(bad(format!("tensor \"{name}\": bad shape [{}]", shape_str(&shape)))),
        };
        need(off as u64 + bytes)?;
        let bytes = bytes as usize;
        let data = buf[off..off + bytes].to_vec();
        off = (off + bytes + 3) & !3;
        out.push(WireTensor { name, dtype, shape, data });
    }
    Ok(out)
}

/// Serializes output tensors into the binary frame.
pub fn encode_tensors(tensors: &[OutputTensor]) -> Vec<u8> {
    let pad = |v: &mut Vec<u8>| v.resize((v.len() + 3) & !3, 0);
    let mut out = Vec::with_capacity(8 + tensors.iter().map(|t| 4 + 4 * t.shape.len() + t.name.len() + t.bytes.len() + 6).sum::<usize>());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(tensors.len() as u32).to_le_bytes());
    for t in tensors {
        out.push(t.dtype as u8);
        out.push(t.shape.len() as u8);
        out.extend_from_slice(&(t.name.len() as u16).to_le_bytes());
        for d in &t.shape {
            out.extend_from_slice(&(*d as u32).to_le_bytes());
        }
        out.extend_from_slice(t.name.as_bytes());
        pad(&mut out);
        out.extend_from_slice(&t.bytes);
        pad(&mut out);
    }
    out
}

/// Matches request tensors to the model's inputs, as wire.ts `bindInputs`: every input present
/// once, dtype and per-sample shape right, one batch size within `max_batch`, f32 values
/// finite. Returns the batch and the data in input order.
pub fn bind_inputs(infos: &[IoInfo], given: Vec<WireTensor>, max_batch: usize) -> Result<(usize, Vec<Vec<u8>>), WireError> {
    for t in &given {
        if !infos.iter().any(|i| i.name == t.name) {
            return Err(bad(format!("unknown input \"{}\"; the model takes {}", t.name, list(infos))));
        }
    }
    let mut given: Vec<Option<WireTensor>> = given.into_iter().map(Some).collect();
    let mut batch: Option<u64> = None;
    let mut data = Vec::with_capacity(infos.len());
    for info in infos {
        let hits: Vec<usize> = (0..given.len()).filter(|&k| given[k].as_ref().is_some_and(|t| t.name == info.name)).collect();
        if hits.len() != 1 {
            return Err(bad(if hits.is_empty() { format!("missing input \"{}\"", info.name) } else { format!("input \"{}\" given twice", info.name) }));
        }
        let t = given[hits[0]].take().unwrap();
        if t.dtype != info.dtype {
            return Err(bad(format!("input \"{}\" must be {}, got {}", info.name, dtype_name(info.dtype), dtype_name(t.dtype))));
        }
        let per = info.per_sample() as u64;
        let n = t.len() as u64;
        let b = if t.shape.is_empty() { if per > 0 && n.is_multiple_of(per) { n / per } else { 0 } } else { t.shape[0] };
        if !t.shape.is_empty() && (t.shape.len() != info.shape.len() + 1 || t.shape[1..].iter().zip(&info.shape).any(|(a, b)| *a != *b as u64)) {
            return Err(bad(format!("input \"{}\" has shape [{}]; expected [batch, {}]", info.name, shape_str(&t.shape), shape_str(&info.shape))));
        }
        if b < 1 || b.checked_mul(per) != Some(n) {
            return Err(bad(format!("input \"{}\" has {n} values; expected batch × {per} (per-sample shape [{}])", info.name, shape_str(&info.shape))));
        }
        if b > max_batch as u64 {
            return Err(WireError { status: 413, message: format!("batch {b} exceeds the limit {max_batch}") });
        }
        if let Some(prev) = batch {
            if prev != b {
                return Err(bad(format!("inputs disagree on batch size ({prev} vs {b})")));
            }
        }
        batch = Some(b);
        if t.dtype == DTYPE_F32 {
            for (i, c) in t.data.chunks_exact(4).enumerate() {
                let x = f32::from_le_bytes(c.try_into().unwrap());
                if !x.is_finite() {
                    let shown = if x.is_nan() { "NaN".to_string() } else if x > 0.0 { "Infinity".into() } else { "-Infinity".into() };
                    return Err(bad(format!("input \"{}\"[{i}] is {shown}; inputs must be finite", info.name)));
                }
            }
        }
        data.push(t.data);
    }
    Ok((batch.unwrap_or(0) as usize, data))
}
