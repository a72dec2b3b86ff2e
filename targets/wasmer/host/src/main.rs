//! Minimal native Wasmer host for edgeq.wasm. It loads the very same artifact bytes the
//! JavaScript targets use, compiles them with Cranelift (singlepass has no SIMD), and runs
//! models through the raw ABI in docs/abi.md: alloc → copy → load → prepare → write inputs →
//! run → read outputs.
//!
//! One-shot:  edgeq-host <edgeq.wasm> infer <model.edgeq> <input.bin>
//! Gateway:   edgeq-host <edgeq.wasm> serve-stdio
//!            reads lines "infer <model.edgeq> <input.bin>", answers one JSON line each;
//!            models stay loaded (one instance, many models), errors do not end the loop.
//! HTTP:      edgeq-host <edgeq.wasm> serve --listen 127.0.0.1:8080 --model name=path.edgeq ...
//!            [--max-body BYTES] [--max-batch N]: the HTTP API of the Node gateway (http.rs).
//!
//! input.bin: the model's inputs in order, little-endian, concatenated; the batch is the file
//! size over the bytes of one sample. Output: {"outputs":{name:{dtype,shape,data}}}, f32 values
//! as decimals that read back to the same float, non-finite ones as null.

mod abi;
mod http;
mod metrics;
mod wire;

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::process::ExitCode;

use abi::{Artifact, HostError};

fn infer(art: &mut Artifact, models: &mut HashMap<String, i32>, model: &str, input: &str) -> Result<String, HostError> {
    let handle = match models.get(model) {
        Some(h) => *h,
        None => {
            let bytes = std::fs::read(model).map_err(|e| HostError::io(model, e))?;
            let h = art.load(&bytes)?;
            models.insert(model.to_string(), h);
            h
        }
    };
    let data = std::fs::read(input).map_err(|e| HostError::io(input, e))?;
    let outputs = art.run_raw(handle, &data)?;
    Ok(abi::outputs_json(&outputs))
}

/// "name=path" or "path" (the name is the file name without .edgeq), as `edgeq serve`.
fn parse_model_arg(arg: &str) -> (String, String) {
    match arg.find('=') {
        Some(eq) if eq > 0 => (arg[..eq].to_string(), arg[eq + 1..].to_string()),
        _ => {
            let file = std::path::Path::new(arg).file_name().map_or(arg.to_string(), |f| f.to_string_lossy().into_owned());
            (file.strip_suffix(".edgeq").unwrap_or(&file).to_string(), arg.to_string())
        }
    }
}

/// `serve` options after the subcommand; every model is loaded (and checked) before listening.
fn serve_http(mut art: Artifact, args: &[String]) -> Result<(), HostError> {
    let mut opts = http::Options { listen: "127.0.0.1:8080".into(), max_body: 8 << 20, max_batch: 1024 };
    let mut models: Vec<http::ServedModel> = Vec::new();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| HostError::usage(&format!("{flag} needs a value")));
        let number = |v: String| v.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| HostError::usage(&format!("{flag}: \"{v}\" is not a positive integer")));
        match flag.as_str() {
            "--listen" => opts.listen = value()?,
            "--max-body" => opts.max_body = number(value()?)?,
            "--max-batch" => opts.max_batch = number(value()?)?.min(abi::MAX_BATCH),
            "--model" => {
                let (name, path) = parse_model_arg(&value()?);
                if models.iter().any(|m| m.name == name) {
                    return Err(HostError::usage(&format!("model name \"{name}\" given twice")));
                }
                let bytes = std::fs::read(&path).map_err(|e| HostError::io(&path, e))?;
                let handle = art.load(&bytes).map_err(|e| match e {
                    HostError::Engine { code, message } => HostError::Engine { code, message: format!("{path}: {message}") },
                    other => other,
                })?;
                let inputs = art.io_infos(handle, 0)?;
                let outputs = art.io_infos(handle, 1)?;
                models.push(http::ServedModel { name, handle, bytes: bytes.len(), inputs, outputs });
            }
            other => return Err(HostError::usage(&format!("unknown serve option {other}"))),
        }
    }
    if models.is_empty() {
        return Err(HostError::usage("serve needs at least one --model name=path.edgeq"));
    }
    http::serve(art, models, opts)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: edgeq-host <edgeq.wasm> infer <model.edgeq> <input.bin>\n       edgeq-host <edgeq.wasm> serve-stdio\n       edgeq-host <edgeq.wasm> serve --listen 127.0.0.1:8080 --model name=path.edgeq [--model ...] [--max-body BYTES] [--max-batch N]";
    if args.len() < 3 {
        eprintln!("{usage}");
        return ExitCode::from(2);
    }
    let wasm = match std::fs::read(&args[1]) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {}: {e}", args[1]);
            return ExitCode::from(1);
        }
    };
    let mut art = match Artifact::new(&wasm) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let mut models = HashMap::new();
    match (args[2].as_str(), args.len()) {
        ("infer", 5) => match infer(&mut art, &mut models, &args[3], &args[4]) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(e.exit_code())
            }
        },
        ("serve-stdio", 3) => {
            let stdin = std::io::stdin();
            let mut out = std::io::stdout().lock();
            for line in stdin.lock().lines() {
                let Ok(line) = line else { break };
                let parts: Vec<&str> = line.split_whitespace().collect();
                let reply = match parts.as_slice() {
                    [] => continue,
                    ["infer", model, input] => infer(&mut art, &mut models, model, input).unwrap_or_else(|e| e.json()),
                    _ => HostError::usage("expected: infer <model.edgeq> <input.bin>").json(),
                };
                if writeln!(out, "{reply}").and_then(|_| out.flush()).is_err() {
                    break;
                }
            }
            ExitCode::SUCCESS
        }
        ("serve", _) => match serve_http(art, &args[3..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                if let HostError::Usage(_) = e {
                    eprintln!("{usage}");
                }
                ExitCode::from(e.exit_code())
            }
        },
        _ => {
            eprintln!("{usage}");
            ExitCode::from(2)
        }
    }
}
