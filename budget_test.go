package prime

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBudget(10)
		require.True(t, b.tryAcquire(6))
		assert.False(t, b.tryAcquire(5), "4 left")
		require.True(t, b.tryAcquire(4))

		// Waiters are served in order: the large one first.
		order := make(chan int64, 2)
		for _, n := range []int64{8, 1} {
			go func() {
				assert.NoError(t, b.acquire(context.Background(), n))
				order <- n
			}()
			synctest.Wait()
		}
		assert.False(t, b.tryAcquire(0), "nobody passes the waiters")
		b.release(6)
		synctest.Wait()
		assert.Empty(t, order, "6 free: the first waiter needs 8, the second waits behind it")
		b.release(4)
		assert.ElementsMatch(t, []int64{8, 1}, []int64{<-order, <-order}, "10 free: both served")
		b.release(9)
		assert.Equal(t, int64(10), b.free)

		// A cancelled wait takes nothing.
		require.True(t, b.tryAcquire(10))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- b.acquire(ctx, 3) }()
		synctest.Wait()
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)
		b.release(10)
		assert.Equal(t, int64(10), b.free)
		assert.Empty(t, b.waiters)

		assert.Panics(t, func() { b.release(1) }, "more than was taken")
	})
}
