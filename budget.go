package prime

import (
	"context"
	"sync"
)

// A budget is a weighted semaphore over bytes: the memory that Run's
// decoded images may take together. Waiters are served first come, first
// served, so a large image is not passed over by small ones forever.
type budget struct {
	mu      sync.Mutex
	free    int64
	size    int64
	waiters []*budgetWaiter
}

type budgetWaiter struct {
	n     int64
	ready chan struct{} // closed once the bytes are the waiter's
}

func newBudget(size int64) *budget { return &budget{free: size, size: size} }

// tryAcquire takes n bytes when they are free and nobody waits, and
// reports whether it did.
func (b *budget) tryAcquire(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.waiters) == 0 && b.free >= n {
		b.free -= n
		return true
	}
	return false
}

// acquire takes n bytes, at most the budget's size, waiting for them; it
// returns ctx's error, having taken nothing, when ctx is done first.
func (b *budget) acquire(ctx context.Context, n int64) error {
	b.mu.Lock()
	if len(b.waiters) == 0 && b.free >= n {
		b.free -= n
		b.mu.Unlock()
		return nil
	}
	w := &budgetWaiter{n: n, ready: make(chan struct{})}
	b.waiters = append(b.waiters, w)
	b.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-w.ready: // served meanwhile: give the bytes back
		b.free += n
	default:
		for i, x := range b.waiters {
			if x == w {
				b.waiters = append(b.waiters[:i], b.waiters[i+1:]...)
				break
			}
		}
	}
	b.serve()
	return ctx.Err()
}

// release gives back n bytes taken before.
func (b *budget) release(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.free += n
	if b.free > b.size {
		panic("prime: budget released more than was taken")
	}
	b.serve()
}

// serve hands free bytes to the waiters in order, as long as the first
// fits.
func (b *budget) serve() {
	for len(b.waiters) > 0 && b.waiters[0].n <= b.free {
		w := b.waiters[0]
		b.free -= w.n
		close(w.ready)
		b.waiters = b.waiters[1:]
	}
}
