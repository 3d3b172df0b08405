// Package outfiletest holds the fakes with which tests check that every
// write path of prime fails cleanly: a writer that fails after N bytes, and
// a small file system that runs full.
package outfiletest

import (
	"errors"
	"io"
)

// ErrInjected is the error of the writers FailAfter returns.
var ErrInjected = errors.New("injected write failure")

// FailAfter returns a wrapper for outfile.Writer.Wrap whose writers pass on
// the first n bytes written through them and then fail with ErrInjected, as
// a disk that runs full does: the write that crosses the limit writes its
// first bytes and returns the error. Each wrapped writer counts on its own.
func FailAfter(n int64) func(io.Writer) io.Writer {
	return func(w io.Writer) io.Writer { return &failingWriter{w: w, left: n} }
}

type failingWriter struct {
	w    io.Writer
	left int64
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if int64(len(p)) <= f.left {
		n, err := f.w.Write(p)
		f.left -= int64(n)
		return n, err
	}
	n, err := f.w.Write(p[:f.left])
	f.left -= int64(n)
	if err == nil {
		err = ErrInjected
	}
	return n, err
}
