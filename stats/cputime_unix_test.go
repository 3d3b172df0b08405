//go:build unix

package stats

import (
	"syscall"
	"time"
)

// cpuTime returns the processor time the process has used, user and
// system, all threads: a measure of work that a busy machine inflates less
// than wall time.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
