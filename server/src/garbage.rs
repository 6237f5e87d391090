//! Frees a batch's many small values on a thread of its own, once they are no longer needed.
//!
//! A push of 1,000 changes leaves some 20,000 strings behind (the parsed changes, the rows and
//! records a write transaction kept, the columns it sent). Freeing them where they fall took
//! about a millisecond of each batch's 20 under the write lock and before the reply (perf, issue
//! 13); on a second core, the next batch does not wait for it.

use std::sync::mpsc::{channel, Sender};
use std::sync::OnceLock;

type Garbage = Box<dyn Send>;

fn bin() -> Option<&'static Sender<Garbage>> {
    static BIN: OnceLock<Option<Sender<Garbage>>> = OnceLock::new();
    BIN.get_or_init(|| {
        let (tx, rx) = channel::<Garbage>();
        std::thread::Builder::new()
            .name("knock-free".into())
            .spawn(move || rx.into_iter().for_each(drop))
            .ok()
            .map(|_| tx)
    })
    .as_ref()
}

/// Drops `value` on the freeing thread, or here when there is none.
pub fn drop_later<T: Send + 'static>(value: T) {
    match bin() {
        Some(bin) => {
            // A send fails only when the thread has gone: the value comes back and drops here.
            let _ = bin.send(Box::new(value));
        }
        None => drop(value),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use super::*;

    struct Counted(Arc<AtomicUsize>);

    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn what_is_handed_over_is_dropped() {
        let dropped = Arc::new(AtomicUsize::new(0));
        for _ in 0..100 {
            drop_later(vec![Counted(dropped.clone())]);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while dropped.load(Ordering::SeqCst) < 100 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(dropped.load(Ordering::SeqCst), 100);
    }
}
