//! The edgeq.wasm ABI (docs/abi.md, version 1) over a Wasmer instance. Every pointer the
//! artifact returns is checked against the memory size by Wasmer's bounds-checked view.

use std::fmt;
use wasmer::{imports, Instance, Memory, Module, Store, TypedFunction};

pub const ABI_VERSION: i32 = 1;
const IO_INFO_SIZE: usize = 48;
pub const DTYPE_F32: u32 = 1;
pub const DTYPE_I8: u32 = 2;
pub const DTYPE_I32: u32 = 3;
/// The largest batch edgeq_prepare accepts.
pub const MAX_BATCH: usize = 65536;

/// Bytes per element of a dtype; None for dtypes the artifact does not have.
pub fn dtype_size(dtype: u32) -> Option<usize> {
    match dtype {
        DTYPE_F32 | DTYPE_I32 => Some(4),
        DTYPE_I8 => Some(1),
        _ => None,
    }
}

/// The dtype names of the HTTP wire formats (src/serve/wire.ts).
pub fn dtype_name(dtype: u32) -> &'static str {
    match dtype {
        DTYPE_F32 => "float32",
        DTYPE_I8 => "int8",
        DTYPE_I32 => "int32",
        _ => "unknown",
    }
}

#[derive(Debug)]
pub enum HostError {
    /// The artifact refused: a stable edgeq ErrorCode and its message.
    Engine { code: i32, message: String },
    Io(String),
    Usage(String),
    Wasm(String),
}

impl HostError {
    pub fn io(path: &str, e: std::io::Error) -> Self {
        HostError::Io(format!("{path}: {e}"))
    }
    pub fn usage(m: &str) -> Self {
        HostError::Usage(m.to_string())
    }
    pub fn exit_code(&self) -> u8 {
        match self {
            HostError::Engine { .. } => 3,
            HostError::Usage(_) => 2,
            _ => 1,
        }
    }
    pub fn json(&self) -> String {
        let (code, msg) = match self {
            HostError::Engine { code, message } => (*code, message.clone()),
            other => (0, other.to_string()),
        };
        format!("{{\"error\":{{\"code\":{code},\"message\":{}}}}}", json_string(&msg))
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::Engine { code, message } => write!(f, "{message} (code {code})"),
            HostError::Io(m) | HostError::Usage(m) | HostError::Wasm(m) => f.write_str(m),
        }
    }
}

fn wasm_err(e: impl fmt::Display) -> HostError {
    HostError::Wasm(e.to_string())
}

#[derive(Clone)]
pub struct IoInfo {
    pub name: String,
    pub dtype: u32,
    /// Per-sample shape (the batch dimension is not included).
    pub shape: Vec<u32>,
    /// int8 quantization scale (0 when unscaled) and zero point.
    pub scale: f32,
    pub zero_point: i32,
}

impl IoInfo {
    pub fn per_sample(&self) -> usize {
        self.shape.iter().map(|d| *d as usize).product()
    }
    pub fn elem_size(&self) -> usize {
        if self.dtype == DTYPE_I8 { 1 } else { 4 }
    }
}

pub struct OutputTensor {
    pub name: String,
    pub dtype: u32,
    pub shape: Vec<usize>,
    pub bytes: Vec<u8>,
}

struct Exports {
    alloc: TypedFunction<i32, i32>,
    load: TypedFunction<(i32, i32), i32>,
    last_error: TypedFunction<(), i32>,
    error_ptr: TypedFunction<(), i32>,
    error_len: TypedFunction<(), i32>,
    io_count: TypedFunction<(i32, i32), i32>,
    io_info: TypedFunction<(i32, i32, i32, i32), i32>,
    prepare: TypedFunction<(i32, i32), i32>,
    io_ptr: TypedFunction<(i32, i32, i32), i32>,
    run: TypedFunction<i32, i32>,
    free: TypedFunction<i32, ()>,
    mem_in_use: TypedFunction<(), i32>,
    mem_peak: TypedFunction<(), i32>,
}

/// Allocator statistics for /metrics.
pub struct MemStats {
    pub linear: u64,
    pub in_use: u64,
    pub peak: u64,
}

pub struct Artifact {
    store: Store,
    memory: Memory,
    ex: Exports,
    /// Scratch block for IoInfo records, allocated once.
    scratch: i32,
}

impl Artifact {
    /// Compiles the artifact with Cranelift and instantiates it with no imports.
    pub fn new(wasm: &[u8]) -> Result<Self, HostError> {
        let mut store = Store::new(wasmer::sys::Cranelift::default());
        let module = Module::new(&store, wasm).map_err(wasm_err)?;
        let instance = Instance::new(&mut store, &module, &imports! {}).map_err(wasm_err)?;
        let e = &instance.exports;
        let version: TypedFunction<(), i32> = e.get_typed_function(&store, "edgeq_abi_version").map_err(wasm_err)?;
        let v = version.call(&mut store).map_err(wasm_err)?;
        if v != ABI_VERSION {
            return Err(HostError::Wasm(format!("artifact ABI {v}, host expects {ABI_VERSION}")));
        }
        macro_rules! f {
            ($n:literal) => {
                e.get_typed_function(&store, $n).map_err(wasm_err)?
            };
        }
        let ex = Exports {
            alloc: f!("edgeq_alloc"),
            load: f!("edgeq_load"),
            last_error: f!("edgeq_last_error"),
            error_ptr: f!("edgeq_error_ptr"),
            error_len: f!("edgeq_error_len"),
            io_count: f!("edgeq_io_count"),
            io_info: f!("edgeq_io_info"),
            prepare: f!("edgeq_prepare"),
            io_ptr: f!("edgeq_io_ptr"),
            run: f!("edgeq_run"),
            free: f!("edgeq_free"),
            mem_in_use: f!("edgeq_mem_in_use"),
            mem_peak: f!("edgeq_mem_peak"),
        };
        let memory = e.get_memory("memory").map_err(wasm_err)?.clone();
        let mut art = Artifact { store, memory, ex, scratch: 0 };
        let s = art.ex.alloc.call(&mut art.store, IO_INFO_SIZE as i32).map_err(wasm_err)?;
        if s == 0 {
            return Err(HostError::Wasm("cannot allocate scratch memory".into()));
        }
        art.scratch = s;
        Ok(art)
    }

    fn read(&self, ptr: i32, len: usize) -> Result<Vec<u8>, HostError> {
        let mut buf = vec![0u8; len];
        self.memory.view(&self.store).read(ptr as u32 as u64, &mut buf).map_err(wasm_err)?;
        Ok(buf)
    }

    fn write(&self, ptr: i32, data: &[u8]) -> Result<(), HostError> {
        self.memory.view(&self.store).write(ptr as u32 as u64, data).map_err(wasm_err)
    }

    /// The artifact's last error as a HostError (a trap records code 20, Aborted).
    fn last_error(&mut self, fallback: i32) -> HostError {
        let code = self.ex.last_error.call(&mut self.store).unwrap_or(0);
        let ptr = self.ex.error_ptr.call(&mut self.store).unwrap_or(0);
        let len = self.ex.error_len.call(&mut self.store).unwrap_or(0).max(0) as usize;
        let message = self.read(ptr, len).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
        HostError::Engine { code: if code != 0 { code } else { fallback }, message }
    }

    /// Turns a negative ABI result or a trap into the artifact's error.
    fn check(&mut self, r: Result<i32, wasmer::RuntimeError>) -> Result<i32, HostError> {
        match r {
            Ok(v) if v >= 0 => Ok(v),
            Ok(v) => Err(self.last_error(-v)),
            Err(_) => Err(self.last_error(20)),
        }
    }

    /// Copies a container into the instance and loads it; returns the model handle.
    pub fn load(&mut self, bytes: &[u8]) -> Result<i32, HostError> {
        let ptr = self.ex.alloc.call(&mut self.store, bytes.len() as i32).map_err(wasm_err)?;
        if ptr == 0 {
            return Err(HostError::Engine { code: 15, message: "cannot allocate memory for the model bytes".into() });
        }
        self.write(ptr, bytes)?;
        let r = self.ex.load.call(&mut self.store, ptr, bytes.len() as i32);
        self.check(r)
    }

    pub fn io_infos(&mut self, h: i32, is_output: i32) -> Result<Vec<IoInfo>, HostError> {
        let r = self.ex.io_count.call(&mut self.store, h, is_output);
        let n = self.check(r)?;
        let mut list = Vec::with_capacity(n as usize);
        for i in 0..n {
            let r = self.ex.io_info.call(&mut self.store, h, is_output, i, self.scratch);
            self.check(r)?;
            let rec = self.read(self.scratch, IO_INFO_SIZE)?;
            let u = |off: usize| u32::from_le_bytes(rec[off..off + 4].try_into().unwrap());
            let rank = u(8).min(4) as usize;
            let shape = (0..rank).map(|j| u(12 + 4 * j)).collect();
            let name_bytes = self.read(u(36) as i32, u(40) as usize)?;
            let scale = f32::from_bits(u(28));
            list.push(IoInfo { name: String::from_utf8_lossy(&name_bytes).into_owned(), dtype: u(4), shape, scale, zero_point: u(32) as i32 });
        }
        Ok(list)
    }

    /// Runs a model on raw input bytes (inputs in order, concatenated; batch from the size).
    pub fn run_raw(&mut self, h: i32, data: &[u8]) -> Result<Vec<OutputTensor>, HostError> {
        let inputs = self.io_infos(h, 0)?;
        let outputs = self.io_infos(h, 1)?;
        let per: usize = inputs.iter().map(|i| i.per_sample() * i.elem_size()).sum();
        if per == 0 || data.is_empty() || !data.len().is_multiple_of(per) {
            return Err(HostError::Engine { code: 17, message: format!("input has {} bytes; expected a positive multiple of {per} (one sample of every input)", data.len()) });
        }
        let batch = data.len() / per;
        if batch > MAX_BATCH {
            return Err(HostError::Engine { code: 17, message: format!("batch {batch} exceeds {MAX_BATCH}") });
        }
        let mut parts = Vec::with_capacity(inputs.len());
        let mut off = 0;
        for info in &inputs {
            let n = batch * info.per_sample() * info.elem_size();
            parts.push(&data[off..off + n]);
            off += n;
        }
        self.run(h, batch, &parts, &inputs, &outputs)
    }

    /// Runs a model on one byte buffer per input, each exactly batch × per-sample elements of
    /// the input's dtype (the caller has checked that against `inputs`, the model's IoInfos).
    pub fn run(&mut self, h: i32, batch: usize, data: &[&[u8]], inputs: &[IoInfo], outputs: &[IoInfo]) -> Result<Vec<OutputTensor>, HostError> {
        if data.len() != inputs.len() || batch == 0 || batch > MAX_BATCH {
            return Err(HostError::Engine { code: 17, message: format!("{} input buffers for {} inputs, batch {batch}", data.len(), inputs.len()) });
        }
        for (info, d) in inputs.iter().zip(data) {
            if d.len() != batch * info.per_sample() * info.elem_size() {
                return Err(HostError::Engine { code: 17, message: format!("input \"{}\" has {} bytes for batch {batch}", info.name, d.len()) });
            }
        }
        let r = self.ex.prepare.call(&mut self.store, h, batch as i32);
        self.check(r)?;
        for (i, d) in data.iter().enumerate() {
            let r = self.ex.io_ptr.call(&mut self.store, h, 0, i as i32);
            let ptr = self.check(r)?;
            if ptr == 0 {
                return Err(self.last_error(19));
            }
            self.write(ptr, d)?;
        }
        let r = self.ex.run.call(&mut self.store, h);
        self.check(r)?;
        let mut result = Vec::with_capacity(outputs.len());
        for (i, info) in outputs.iter().enumerate() {
            let r = self.ex.io_ptr.call(&mut self.store, h, 1, i as i32);
            let ptr = self.check(r)?;
            if ptr == 0 {
                return Err(self.last_error(19));
            }
            let bytes = self.read(ptr, batch * info.per_sample() * info.elem_size())?;
            let mut shape = vec![batch];
            shape.extend(info.shape.iter().map(|d| *d as usize));
            result.push(OutputTensor { name: info.name.clone(), dtype: info.dtype, shape, bytes });
        }
        Ok(result)
    }

    pub fn mem_stats(&mut self) -> MemStats {
        let linear = self.memory.view(&self.store).data_size();
        let in_use = self.ex.mem_in_use.call(&mut self.store).unwrap_or(0) as u32 as u64;
        let peak = self.ex.mem_peak.call(&mut self.store).unwrap_or(0) as u32 as u64;
        MemStats { linear, in_use, peak }
    }

    #[allow(dead_code)]
    pub fn free(&mut self, ptr: i32) {
        let _ = self.ex.free.call(&mut self.store, ptr);
    }
}

pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// {"outputs":{name:{"dtype","shape","data"}}}; f32 printed via f64's shortest round-trip form.
pub fn outputs_json(outputs: &[OutputTensor]) -> String {
    format!("{{\"outputs\":{}}}", outputs_object(outputs))
}

/// {name:{"dtype","shape","data"}}: the "outputs" value of every JSON answer. f32 values print as
/// f64's shortest round-trip form (exact for an f32), non-finite ones as null, like JSON.stringify.
pub fn outputs_object(outputs: &[OutputTensor]) -> String {
    let mut s = String::from("{");
    for (i, t) in outputs.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let shape: Vec<String> = t.shape.iter().map(|d| d.to_string()).collect();
        s.push_str(&format!("{}:{{\"dtype\":\"{}\",\"shape\":[{}],\"data\":[", json_string(&t.name), dtype_name(t.dtype), shape.join(",")));
        let vals: Vec<String> = match t.dtype {
            DTYPE_I8 => t.bytes.iter().map(|b| (*b as i8).to_string()).collect(),
            DTYPE_F32 => t
                .bytes
                .chunks_exact(4)
                .map(|c| {
                    let v = f32::from_le_bytes(c.try_into().unwrap());
                    if v.is_finite() { (v as f64).to_string() } else { "null".into() }
                })
                .collect(),
            _ => t.bytes.chunks_exact(4).map(|c| i32::from_le_bytes(c.try_into().unwrap()).to_string()).collect(),
        };
        s.push_str(&vals.join(","));
        s.push_str("]}");
    }
    s.push('}');
    s
}
