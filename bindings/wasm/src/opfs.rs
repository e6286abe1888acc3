//! A redb storage backend over the Origin Private File System's `FileSystemSyncAccessHandle`.
//!
//! The handle's methods are synchronous (read, write, truncate, getSize, flush, close) and map
//! one to one onto redb's `StorageBackend`, so redb runs on an OPFS file exactly as on a disk
//! file: `sync_data` is the handle's `flush`, and redb's commit protocol gives the same crash
//! safety. Sync access handles exist only in dedicated Web Workers, and each is exclusive: one
//! open store per file.

use std::io;

use tenantree::StorageBackend;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{FileSystemReadWriteOptions, FileSystemSyncAccessHandle};

use crate::convert::{error, invalid, js_message};

/// The methods `openBackend` needs of a handle. Checked up front, so that a wrong argument is
/// an `INVALID_ARGUMENT` rather than a failure deep inside redb.
const METHODS: [&str; 6] = ["read", "write", "truncate", "getSize", "flush", "close"];

/// A redb backend on an OPFS sync access handle. Owns the handle and closes it when redb
/// closes the database.
pub(crate) struct OpfsBackend {
    handle: FileSystemSyncAccessHandle,
}

impl std::fmt::Debug for OpfsBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpfsBackend").finish_non_exhaustive()
    }
}

// SAFETY: redb requires `Send + Sync` backends because a native database may be shared between
// threads. This crate is built only for single-threaded wasm (lib.rs refuses the `atomics`
// target feature), where no second thread exists that could receive or share the handle, so
// the JS object is only ever touched from the thread that created it. Natively no JS object
// exists at all (every JS call panics before reaching one).
#[allow(unsafe_code)]
unsafe impl Send for OpfsBackend {}
// SAFETY: as for `Send` above.
#[allow(unsafe_code)]
unsafe impl Sync for OpfsBackend {}

impl OpfsBackend {
    /// Wraps a `FileSystemSyncAccessHandle` (or any object with its methods).
    pub(crate) fn new(handle: JsValue) -> Result<OpfsBackend, JsValue> {
        if !handle.is_object() {
            return Err(invalid("handle", "must be a FileSystemSyncAccessHandle"));
        }
        for method in METHODS {
            let ok = js_sys::Reflect::get(&handle, &method.into()).is_ok_and(|m| m.is_function());
            if !ok {
                return Err(invalid("handle", &format!("has no method {method}(): not a FileSystemSyncAccessHandle")));
            }
        }
        // Duck-typed on purpose: hosts other than browsers (tests, Node shims) can pass an
        // object with the same synchronous methods.
        Ok(OpfsBackend { handle: handle.unchecked_into() })
    }

    fn at(offset: u64) -> FileSystemReadWriteOptions {
        let options = FileSystemReadWriteOptions::new();
        // Offsets are far below 2^53, where f64 is exact.
        options.set_at(offset as f64);
        options
    }
}

fn io_error(what: &str, err: &JsValue) -> io::Error {
    io::Error::other(format!("OPFS {what} failed: {}", js_message(err)))
}

fn short(what: &str, done: f64, wanted: usize, offset: u64) -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, format!("OPFS {what} at {offset}: {done} of {wanted} bytes"))
}

impl StorageBackend for OpfsBackend {
    fn len(&self) -> io::Result<u64> {
        let size = self.handle.get_size().map_err(|e| io_error("getSize", &e))?;
        Ok(size as u64)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        let wanted = out.len();
        let done = self
            .handle
            .read_with_u8_array_and_options(out, &OpfsBackend::at(offset))
            .map_err(|e| io_error("read", &e))?;
        if done as usize != wanted {
            return Err(short("read", done, wanted, offset));
        }
        Ok(())
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        // truncate() pads a growing file with zeros, as redb requires.
        self.handle.truncate_with_f64(len as f64).map_err(|e| io_error("truncate", &e))
    }

    fn sync_data(&self) -> io::Result<()> {
        self.handle.flush().map_err(|e| io_error("flush", &e))
    }

    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        let done = self
            .handle
            .write_with_u8_array_and_options(data, &OpfsBackend::at(offset))
            .map_err(|e| io_error("write", &e))?;
        if done as usize != data.len() {
            return Err(short("write", done, data.len(), offset));
        }
        Ok(())
    }

    fn close(&self) -> io::Result<()> {
        self.handle.close();
        Ok(())
    }
}

/// Opens a sync access handle on the OPFS file `name` in the origin's root directory,
/// creating the file if missing.
pub(crate) async fn open_sync_access_handle(name: &str) -> Result<JsValue, JsValue> {
    if name.is_empty() || name.contains('/') || name == "." || name == ".." {
        return Err(invalid("name", "must be a plain file name (no '/')"));
    }
    let scope = js_sys::global()
        .dyn_into::<web_sys::WorkerGlobalScope>()
        .map_err(|_| invalid("name", "OPFS sync access handles exist only in a dedicated Web Worker"))?;
    let storage = scope.navigator().storage();
    let root = await_js(storage.get_directory(), "getDirectory").await?;
    let root: web_sys::FileSystemDirectoryHandle = root.unchecked_into();
    let options = web_sys::FileSystemGetFileOptions::new();
    options.set_create(true);
    let file = await_js(root.get_file_handle_with_options(name, &options), "getFileHandle").await?;
    let file: web_sys::FileSystemFileHandle = file.unchecked_into();
    await_js(file.create_sync_access_handle(), "createSyncAccessHandle").await
}

async fn await_js(promise: js_sys::Promise, what: &str) -> Result<JsValue, JsValue> {
    JsFuture::from(promise).await.map_err(|e| {
        let name = js_sys::Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
        // Another handle on the file (another tab or worker) makes the exclusive open fail.
        if name == "NoModificationAllowedError" {
            error(&tenantree::Error::AlreadyOpen)
        } else {
            error(&tenantree::Error::Storage { message: format!("OPFS {what} failed: {}", js_message(&e)) })
        }
    })
}
