package outfile

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

// A Writer writes output files as the package documentation describes. The
// zero Writer is ready to use.
type Writer struct {
	// Wrap, when not nil, wraps the writer through which each file's
	// contents are written (after the temporary file is created and before
	// the data is flushed, synced and renamed): tests inject faults with
	// it.
	Wrap func(io.Writer) io.Writer
}

// Wrapped returns w wrapped by Wrap, or w when Wrap is nil.
func (wr Writer) Wrapped(w io.Writer) io.Writer {
	if wr.Wrap == nil {
		return w
	}
	return wr.Wrap(w)
}

// WriteFile writes the file at path with the zero Writer.
func WriteFile(path string, fill func(io.Writer) error) error {
	return Writer{}.WriteFile(path, fill)
}

// WriteFile writes the file at path with fill, which gets a buffered writer
// (WriteFile flushes it):
//
//   - A regular file, or a missing one, is written to a temporary file in
//     its folder, flushed, synced, closed and renamed over path, each step
//     checked; on any failure path is left as it was and the temporary file
//     is removed. An existing file keeps its permission bits and, where the
//     system permits, its owner; a new file gets 0666 less the umask.
//   - A symbolic link is followed to its final target, which is written as
//     above; the link stays a link.
//   - Anything that is not a regular file (a named pipe, a character device
//     such as /dev/null or a terminal), and a path that names one of the
//     process's open descriptors (/dev/stdout, /dev/stderr, /dev/fd/N,
//     /proc/self/fd/N), is opened for appending and written in place: such
//     a node is never replaced, and a file behind a descriptor keeps what
//     was written to it before.
//
// An error of the file system is an *fs.PathError naming path; an error of
// fill that is not about writing (a cancelled context, bad data) is
// returned as it is.
func (wr Writer) WriteFile(path string, fill func(io.Writer) error) error {
	if path == "" {
		return &fs.PathError{Op: "write", Path: path, Err: fs.ErrInvalid}
	}
	if isDescriptor(path) {
		return wr.writeInPlace(path, path, fill)
	}
	target, fi, err := resolve(path)
	if err != nil {
		return &fs.PathError{Op: "write", Path: path, Err: cause(err)}
	}
	if fi != nil && fi.IsDir() {
		return &fs.PathError{Op: "write", Path: path, Err: errors.New("is a directory")}
	}
	if fi != nil && !fi.Mode().IsRegular() {
		return wr.writeInPlace(path, target, fill)
	}
	return wr.replace(path, target, fi, fill)
}

// writeInPlace appends fill's output to the existing node target, which the
// user named path.
func (wr Writer) writeInPlace(path, target string, fill func(io.Writer) error) (err error) {
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return &fs.PathError{Op: "write", Path: path, Err: cause(err)}
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = &fs.PathError{Op: "write", Path: path, Err: cause(cerr)}
		}
	}()
	return wr.fillFile(f, path, fill, target)
}

// replace writes target, a regular file (fi) or a missing one (fi nil),
// through a temporary file and a rename.
func (wr Writer) replace(path, target string, fi fs.FileInfo, fill func(io.Writer) error) (err error) {
	tmp, err := createTemp(target)
	if err != nil {
		return &fs.PathError{Op: "write", Path: path, Err: cause(err)}
	}
	closed := false
	defer func() {
		if err == nil {
			return
		}
		if !closed {
			tmp.Close() // the error that matters is err
		}
		if rerr := os.Remove(tmp.Name()); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			err = errors.Join(err, fmt.Errorf("and the temporary file %s could not be removed: %w", tmp.Name(), rerr))
		}
	}()
	fail := func(err error) error {
		return &fs.PathError{Op: "write", Path: path, Err: cause(err, tmp.Name(), target)}
	}
	if fi != nil {
		if err := keepOwner(tmp, fi); err != nil {
			return fail(err)
		}
		if err := tmp.Chmod(fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)); err != nil {
			return fail(err)
		}
	}
	if err := wr.fillFile(tmp, path, fill, tmp.Name(), target); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	closed = true
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fail(err)
	}
	return nil
}

// errWriter remembers the first error of the writes to w.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}

// fillFile writes f with fill through a buffer, and flushes it. After a
// failed write the error is an *fs.PathError naming path and the write's
// error, whatever fill wrapped it in (names are f's names, for cause);
// fill's own errors (a cancelled context, bad data) are returned as they
// are.
func (wr Writer) fillFile(f *os.File, path string, fill func(io.Writer) error, names ...string) error {
	ew := &errWriter{w: wr.Wrapped(f)}
	bw := bufio.NewWriterSize(ew, 64<<10)
	if err := fill(bw); err != nil {
		if ew.err == nil {
			return err
		}
		return &fs.PathError{Op: "write", Path: path, Err: cause(ew.err, names...)}
	}
	if err := bw.Flush(); err != nil {
		return &fs.PathError{Op: "write", Path: path, Err: cause(err, names...)}
	}
	return nil
}

// createTemp creates a new, empty file beside target, with mode 0666 less
// the umask (the mode a new file at target would get), named after target
// with a leading dot and a random suffix.
func createTemp(target string) (*os.File, error) {
	dir, base := filepath.Split(target)
	// Leave room for the dot and the suffix within a 255-byte name.
	for len(base) > 200 {
		_, size := utf8.DecodeLastRuneInString(base)
		base = base[:len(base)-size]
	}
	for {
		name := filepath.Join(dir, "."+base+"."+strings.ToLower(rand.Text()[:10])+".tmp")
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
}

// resolve follows path, when it is a symbolic link, to its final target,
// and returns the target and its FileInfo (nil when the target does not
// exist: the file to create). Relative links are resolved against the
// link's real folder, as the system does.
func resolve(path string) (string, fs.FileInfo, error) {
	for range 64 {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil, nil
		}
		if err != nil {
			return "", nil, err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return path, fi, nil
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", nil, err
		}
		if !filepath.IsAbs(link) {
			dir, err := filepath.EvalSymlinks(filepath.Dir(path))
			if err != nil {
				return "", nil, err
			}
			link = filepath.Join(dir, link)
		}
		path = link
	}
	return "", nil, errors.New("too many levels of symbolic links")
}

// cause returns err without the *fs.PathError or *os.LinkError around it
// when that names one of names (the file written, its target, its
// temporary file), whose name the caller gives as the user wrote it. Other
// errors, such as fill's own about other files, are kept whole.
func cause(err error, names ...string) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok && (len(names) == 0 || slices.Contains(names, pe.Path)) {
		return pe.Err
	}
	if le, ok := errors.AsType[*os.LinkError](err); ok && (len(names) == 0 || slices.Contains(names, le.Old)) {
		return le.Err
	}
	return err
}
