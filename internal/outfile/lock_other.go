//go:build !(darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd || solaris || windows)

package outfile

import "os"

// lock does nothing on systems without file locks.
func lock(*os.File, string) error { return nil }
