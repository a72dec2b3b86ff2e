//! The HTTP gateway mode (`serve --listen ...`): the same API as the Node gateway and the
//! Worker (src/serve/app.ts, docs/targets.md), served by tiny_http.
//!
//!   GET  /healthz                  {"ok": true, "models": n}
//!   GET  /metrics                  Prometheus text (requests, errors, latency histogram, memory)
//!   GET  /v1/models                the loaded models with their inputs and outputs
//!   POST /v1/models/:name/infer    JSON or application/x-edgeq-tensors in; same format out
//!                                  (binary out also when Accept names the binary type)
//!
//! Every failure is a JSON body {"error": {"status", "code", "message"}}.
//!
//! Threads: the instance is single-threaded (one Store, one linear memory), so ONE worker thread
//! owns it and answers requests one after another in arrival order; a second one would only
//! wait on a lock. A few reader threads take requests from tiny_http and read their bodies
//! (size-limited) first, so a slow upload does not hold up inference for everyone else. For
//! more cores, run one process per core behind a load balancer. tiny_http has no read timeout:
//! clients that stop mid-body each keep a reader, so untrusted clients belong behind a proxy.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tiny_http::{Header, Method, Request, Response, Server};

use crate::abi::{dtype_name, outputs_object, Artifact, HostError, IoInfo};
use crate::metrics::Metrics;
use crate::wire::{self, WireError, BINARY_TYPE};

pub struct ServedModel {
    pub name: String,
    pub handle: i32,
    /// Size of the .edgeq container.
    pub bytes: usize,
    /// Read once at load, so requests are validated without calling into the instance.
    pub inputs: Vec<IoInfo>,
    pub outputs: Vec<IoInfo>,
}

pub struct Options {
    pub listen: String,
    pub max_body: usize,
    pub max_batch: usize,
}

/// An answer before it is sent: status, content type, body.
struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Reply {
    fn json(status: u16, v: &Value) -> Self {
        Reply { status, content_type: "application/json", body: v.to_string().into_bytes() }
    }
    fn error(status: u16, code: &str, message: &str) -> Self {
        Reply::json(status, &json!({"error": {"status": status, "code": code, "message": message}}))
    }
}

impl From<WireError> for Reply {
    fn from(e: WireError) -> Self {
        let code = match e.status {
            413 => "PayloadTooLarge",
            404 => "NotFound",
            _ => "BadRequest",
        };
        Reply::error(e.status, code, &e.message)
    }
}

/// The names of ErrorCode in assembly/format/spec.ts, by code.
const ERROR_NAMES: [&str; 21] = [
    "Ok", "BadMagic", "BadVersion", "Truncated", "Checksum", "BadHeader", "BadTensor", "OutOfRange", "BadShape", "UnknownOp", "BadOp", "BadGraph",
    "Overflow", "BadEncoding", "BadQuant", "OutOfMemory", "BadHandle", "BadArgument", "NotPrepared", "Internal", "Aborted",
];

impl From<HostError> for Reply {
    /// Engine errors caused by the request's data are the client's fault; the rest are ours.
    fn from(e: HostError) -> Self {
        match e {
            HostError::Engine { code, message } => {
                let name = ERROR_NAMES.get(code as usize).copied().unwrap_or("Unknown");
                let status = match code {
                    17 => 400,
                    15 => 503,
                    _ => 500,
                };
                Reply::error(status, name, &format!("{name}: {message}"))
            }
            other => Reply::error(500, "Internal", &other.to_string()),
        }
    }
}

fn io_json(i: &IoInfo) -> Value {
    json!({"name": i.name, "dtype": dtype_name(i.dtype), "shape": i.shape, "scale": i.scale as f64, "zeroPoint": i.zero_point})
}

fn header<'a>(req: &'a Request, name: &'static str) -> &'a str {
    req.headers().iter().find(|h| h.field.equiv(name)).map_or("", |h| h.value.as_str())
}

/// %XX escapes in a path segment, as hono decodes route parameters.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

struct Gateway {
    art: Artifact,
    models: Vec<ServedModel>,
    opts: Options,
    metrics: Metrics,
}

impl Gateway {
    /// Routes one request; returns the metrics route label and the reply.
    fn handle(&mut self, req: &Request, body: Result<Vec<u8>, Reply>) -> (&'static str, Reply) {
        let path = req.url().split(['?', '#']).next().unwrap_or("").to_string();
        let method = req.method().clone();
        let segments: Vec<&str> = path.split('/').collect();
        match (&method, segments.as_slice()) {
            (Method::Get, ["", "healthz"]) => ("/healthz", Reply::json(200, &json!({"ok": true, "models": self.models.len()}))),
            (Method::Get, ["", "metrics"]) => ("/metrics", self.metrics_reply()),
            (Method::Get, ["", "v1", "models"]) => {
                let list: Vec<Value> = self
                    .models
                    .iter()
                    .map(|m| json!({"name": m.name, "bytes": m.bytes, "inputs": m.inputs.iter().map(io_json).collect::<Vec<_>>(), "outputs": m.outputs.iter().map(io_json).collect::<Vec<_>>()}))
                    .collect();
                ("/v1/models", Reply::json(200, &json!({ "models": list })))
            }
            (Method::Post, ["", "v1", "models", name, "infer"]) => {
                let name = percent_decode(name);
                ("/v1/models/:name/infer", body.and_then(|b| self.infer(req, &name, &b)).unwrap_or_else(|r| r))
            }
            _ => ("other", Reply::error(404, "NotFound", &format!("no route {} {path}", method))),
        }
    }

    fn metrics_reply(&mut self) -> Reply {
        let mem = self.art.mem_stats();
        let gauges = [
            ("edgeq_wasm_linear_bytes", mem.linear),
            ("edgeq_wasm_in_use_bytes", mem.in_use),
            ("edgeq_wasm_peak_bytes", mem.peak),
            ("edgeq_models_loaded", self.models.len() as u64),
        ];
        Reply { status: 200, content_type: "text/plain; version=0.0.4", body: self.metrics.render(&gauges).into_bytes() }
    }

    fn infer(&mut self, req: &Request, name: &str, body: &[u8]) -> Result<Reply, Reply> {
        let Some(idx) = self.models.iter().position(|m| m.name == name) else {
            return Err(Reply::error(404, "UnknownModel", &format!("no model \"{name}\"; GET /v1/models lists them")));
        };
        let ctype = header(req, "Content-Type").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        let m = &self.models[idx];
        let tensors = match ctype.as_str() {
            BINARY_TYPE => wire::decode_tensors(body)?,
            "application/json" | "" => wire::parse_json_request(body, &m.inputs)?,
            other => return Err(Reply::error(415, "UnsupportedMediaType", &format!("send application/json or {BINARY_TYPE}, not {other}"))),
        };
        let (batch, data) = wire::bind_inputs(&m.inputs, tensors, self.opts.max_batch)?;
        let parts: Vec<&[u8]> = data.iter().map(|d| d.as_slice()).collect();
        let outputs = self.art.run(m.handle, batch, &parts, &m.inputs, &m.outputs)?;
        if ctype == BINARY_TYPE || header(req, "Accept").contains(BINARY_TYPE) {
            return Ok(Reply { status: 200, content_type: BINARY_TYPE, body: wire::encode_tensors(&outputs) });
        }
        let text = format!("{{\"model\":{},\"outputs\":{}}}", Value::from(m.name.as_str()), outputs_object(&outputs));
        Ok(Reply { status: 200, content_type: "application/json", body: text.into_bytes() })
    }
}

/// Reads at most `max` bytes of body; a longer one (by Content-Length or by reading) is a 413.
fn read_body(req: &mut Request, max: usize) -> Result<Vec<u8>, Reply> {
    let too_large = || Reply::error(413, "PayloadTooLarge", &format!("request body exceeds {max} bytes"));
    if req.body_length().is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    req.as_reader().take(max as u64 + 1).read_to_end(&mut body).map_err(|e| Reply::error(400, "BadRequest", &format!("reading the body: {e}")))?;
    if body.len() > max {
        return Err(too_large());
    }
    Ok(body)
}

/// A request with its body read, on its way to the worker.
struct Job {
    req: Request,
    body: Result<Vec<u8>, Reply>,
    t0: Instant,
}

const READERS: usize = 4;
/// How long requests already taken may still finish after SIGINT/SIGTERM (as the Node gateway).
const GRACE: Duration = Duration::from_secs(10);

/// Serves until SIGINT/SIGTERM: the first line on stdout names the bound address
/// ("edgeq-host listening on http://127.0.0.1:8080 (a, b)"), so `--listen 127.0.0.1:0` works.
/// On a signal it stops taking requests, answers those already read and returns.
pub fn serve(art: Artifact, models: Vec<ServedModel>, opts: Options) -> Result<(), HostError> {
    let server = Arc::new(Server::http(&opts.listen).map_err(|e| HostError::Io(format!("listen on {}: {e}", opts.listen)))?);
    let addr = server.server_addr().to_ip().map_or_else(|| opts.listen.clone(), |a| a.to_string());
    let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
    println!("edgeq-host listening on http://{addr} ({})", names.join(", "));
    let stopping = Arc::new(AtomicBool::new(false));
    {
        let (server, stopping) = (server.clone(), stopping.clone());
        ctrlc::set_handler(move || {
            stopping.store(true, Ordering::SeqCst);
            // each unblock wakes one thread waiting in recv
            for _ in 0..READERS {
                server.unblock();
            }
        })
        .map_err(|e| HostError::Io(format!("signal handler: {e}")))?;
    }
    // a small queue: when inference falls behind, readers wait instead of buffering bodies
    let (tx, rx) = mpsc::sync_channel::<Job>(READERS);
    let max_body = opts.max_body;
    let readers: Vec<_> = (0..READERS)
        .map(|_| {
            let (server, stopping, tx) = (server.clone(), stopping.clone(), tx.clone());
            std::thread::spawn(move || loop {
                let mut req = match server.recv() {
                    Ok(r) => r,
                    Err(_) if stopping.load(Ordering::SeqCst) => break,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        eprintln!("edgeq-host: accept: {e}");
                        break;
                    }
                };
                let t0 = Instant::now();
                let body = read_body(&mut req, max_body);
                if tx.send(Job { req, body, t0 }).is_err() {
                    break;
                }
            })
        })
        .collect();
    drop(tx);
    let mut gw = Gateway { art, models, opts, metrics: Metrics::default() };
    // Ends when every reader has stopped (after a signal) and the queue is drained, or at the
    // latest GRACE after the signal: a reader stuck on a stalled upload must not hold the exit.
    let mut deadline: Option<Instant> = None;
    loop {
        let job = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(job) => job,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if stopping.load(Ordering::SeqCst) {
                    let d = *deadline.get_or_insert_with(|| Instant::now() + GRACE);
                    if Instant::now() >= d {
                        break;
                    }
                }
                continue;
            }
        };
        let Job { req, body, t0 } = job;
        let (route, reply) = gw.handle(&req, body);
        let status = reply.status;
        if status >= 500 {
            eprintln!("error: {} {}: {}", req.method(), req.url(), String::from_utf8_lossy(&reply.body));
        }
        let response = Response::from_data(reply.body)
            .with_status_code(status)
            .with_header(Header::from_bytes(&b"Content-Type"[..], reply.content_type.as_bytes()).expect("static header"));
        // a client that went away is its own problem; the gateway keeps serving
        let _ = req.respond(response);
        gw.metrics.observe(route, status, t0.elapsed().as_secs_f64());
    }
    drop(readers); // not joined: see GRACE
    eprintln!("edgeq-host: stopped (signal)");
    Ok(())
}
