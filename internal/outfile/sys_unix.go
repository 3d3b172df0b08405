//go:build unix

package outfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// isDescriptor reports whether path names one of the process's open
// descriptors: /dev/stdin, /dev/stdout, /dev/stderr, /dev/fd/N or
// /proc/P/fd/N.
func isDescriptor(path string) bool {
	path = filepath.Clean(path)
	switch path {
	case "/dev/stdin", "/dev/stdout", "/dev/stderr":
		return true
	}
	if n, ok := strings.CutPrefix(path, "/dev/fd/"); ok {
		return isNumber(n)
	}
	if rest, ok := strings.CutPrefix(path, "/proc/"); ok {
		pid, n, ok := strings.Cut(rest, "/fd/")
		return ok && (pid == "self" || isNumber(pid)) && isNumber(n)
	}
	return false
}

func isNumber(s string) bool {
	_, err := strconv.ParseUint(s, 10, 31)
	return err == nil
}

// keepOwner gives f the owner and group of the file fi describes, when
// they differ from f's and the system permits it (a process may give a
// file away only as root, and a group only to one of its own groups);
// otherwise f stays the writer's, as any new file would.
func keepOwner(f *os.File, fi fs.FileInfo) error {
	want, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	have, err := f.Stat()
	if err != nil {
		return err
	}
	got, ok := have.Sys().(*syscall.Stat_t)
	if !ok || (got.Uid == want.Uid && got.Gid == want.Gid) {
		return nil
	}
	err = f.Chown(int(want.Uid), int(want.Gid))
	if errors.Is(err, syscall.EPERM) {
		return nil
	}
	return err
}
