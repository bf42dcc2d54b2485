//! Retrying a change that lost a race: read again, decide again, write again.
//! Every optimistic write of the use cases (a versioned property, a booking
//! conditioned on its status, a calendar) goes through [`on_conflict`].

use std::future::Future;

/// How often a change that lost a race re-reads and tries again.
pub const ATTEMPTS: usize = 5;

/// Why one attempt did not finish.
#[derive(Debug)]
pub enum Attempt<E> {
    /// A concurrent change won: read again and retry.
    Conflict,
    /// Final: no retry changes this.
    Failed(E),
}

impl<E> From<E> for Attempt<E> {
    fn from(error: E) -> Self {
        Attempt::Failed(error)
    }
}

/// Runs `attempt` until it finishes or fails, at most [`ATTEMPTS`] times;
/// `contended` is the error when every attempt lost its race.
pub async fn on_conflict<T, E, F, Fut>(
    mut attempt: F,
    contended: impl FnOnce() -> E,
) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Attempt<E>>>,
{
    for _ in 0..ATTEMPTS {
        match attempt().await {
            Ok(done) => return Ok(done),
            Err(Attempt::Failed(error)) => return Err(error),
            Err(Attempt::Conflict) => {}
        }
    }
    Err(contended())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn block_on<F: Future>(future: F) -> F::Output {
        // The attempts below never wait, so one poll finishes them.
        let mut future = std::pin::pin!(future);
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(output) => output,
            std::task::Poll::Pending => panic!("an attempt waited"),
        }
    }

    #[test]
    fn conflicts_retry_until_done_and_give_up_after_the_last_attempt() {
        let calls = &AtomicUsize::new(0);
        let third = block_on(on_conflict(
            || async move {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0 | 1 => Err(Attempt::Conflict),
                    n => Ok(n),
                }
            },
            || "contended",
        ));
        assert_eq!(third, Ok(2));

        calls.store(0, Ordering::SeqCst);
        let never = block_on(on_conflict(
            || async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Err::<(), _>(Attempt::Conflict)
            },
            || "contended",
        ));
        assert_eq!(never, Err("contended"));
        assert_eq!(calls.load(Ordering::SeqCst), ATTEMPTS);
    }

    #[test]
    fn a_failure_stops_at_once() {
        let calls = &AtomicUsize::new(0);
        let failed = block_on(on_conflict(
            || async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Err::<(), _>(Attempt::Failed("gone"))
            },
            || "contended",
        ));
        assert_eq!(failed, Err("gone"));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
