// Package cputime measures the processor time the process has used, for
// benchmarks that report work in CPU time, which a busy machine inflates
// less than wall time.
package cputime

import "time"

// Process returns the processor time, user and system, of all the
// process's threads so far, or 0 where the system does not tell.
func Process() time.Duration { return process() }
