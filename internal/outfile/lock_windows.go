//go:build windows

package outfile

import (
	"errors"
	"io/fs"
	"os"

	"golang.org/x/sys/windows"
)

// lock takes an exclusive LockFileEx lock on f without waiting. The lock
// covers one byte far past any end of file, so that it excludes other
// lockers without forbidding reads of the data.
func lock(f *os.File, path string) error {
	ol := &windows.Overlapped{Offset: 0xFFFFFFFE, OffsetHigh: 0x7FFFFFFF}
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, windows.ERROR_LOCK_VIOLATION):
		return &LockedError{Path: path}
	default:
		return &fs.PathError{Op: "lock", Path: path, Err: err}
	}
}
