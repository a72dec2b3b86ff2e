//! Minimal native Wasmer host for edgeq.wasm. It loads the very same artifact bytes the
//! JavaScript targets use, compiles them with Cranelift (singlepass has no SIMD), and runs
//! models through the raw ABI in docs/abi.md: alloc → copy → load → prepare → write inputs →
//! run → read outputs.
//!
//! One-shot:  edgeq-host <edgeq.wasm> infer <model.edgeq> <input.bin>
//! Gateway:   edgeq-host <edgeq.wasm> serve-stdio
//!            reads lines "infer <model.edgeq> <input.bin>", answers one JSON line each;
//!            models stay loaded (one instance, many models), errors do not end the loop.
//!
//! input.bin: the model's inputs in order, little-endian, concatenated; the batch is the file
//! size over the bytes of one sample. Output: {"outputs":{name:{dtype,shape,data}}}, f32 values
//! as decimals that read back to the same float, non-finite ones as null.

mod abi;

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

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: edgeq-host <edgeq.wasm> infer <model.edgeq> <input.bin>\n       edgeq-host <edgeq.wasm> serve-stdio";
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
        _ => {
            eprintln!("{usage}");
            ExitCode::from(2)
        }
    }
}
