//go:build darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd || solaris

package outfile

import (
	"errors"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// lock takes an exclusive flock(2) lock on f without waiting.
func lock(f *os.File, path string) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EWOULDBLOCK):
			return &LockedError{Path: path, Holder: holder(f)}
		default:
			return &fs.PathError{Op: "lock", Path: path, Err: err}
		}
	}
}
