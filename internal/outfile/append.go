package outfile

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// A LockedError reports a file that another open of it holds locked: in
// practice another process writing it.
type LockedError struct {
	Path   string // the file, as the caller named it
	Holder string // who holds the lock ("process 1234 (prime run ...)"), or "" when the system does not say
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("%s is locked by %s", e.Path, cmp.Or(e.Holder, "another process"))
}

// ErrNotRegular is wrapped by the error of OpenAppend on a path that is not
// a regular file.
var ErrNotRegular = errors.New("not a regular file")

// OpenAppend opens the file at path for reading and appending, creating it
// when missing with mode 0666 less the umask (an existing file keeps its
// mode and owner), and following a symbolic link to its target. It takes an
// exclusive advisory lock on the file, held until the file is closed, and
// returns a *LockedError when another open file holds one (another process,
// or another open in this one). Only regular files are accepted: the
// caller reads back what it appended (a named pipe or a device holds
// nothing to read back).
//
// Locks are flock(2) locks on Unix systems and LockFileEx locks on Windows;
// elsewhere the file is opened without a lock.
func OpenAppend(path string) (*os.File, error) {
	if isDescriptor(path) {
		return nil, &fs.PathError{Op: "open", Path: path, Err: ErrNotRegular}
	}
	target, fi, err := resolve(path)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: cause(err)}
	}
	if fi != nil && !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: path, Err: ErrNotRegular}
	}
	f, err := os.OpenFile(target, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o666)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: cause(err)}
	}
	if fi, err = f.Stat(); err == nil && !fi.Mode().IsRegular() {
		err = &fs.PathError{Op: "open", Path: path, Err: ErrNotRegular}
	}
	if err == nil {
		err = lock(f, path)
	}
	if err != nil {
		f.Close() // the error that matters is err
		return nil, err
	}
	return f, nil
}
