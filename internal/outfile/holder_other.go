//go:build (darwin || dragonfly || freebsd || illumos || netbsd || openbsd || solaris) && !linux

package outfile

import "os"

// holder returns "": these systems do not say who holds a flock lock.
func holder(*os.File) string { return "" }
