package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// writeOutput calls write with standard output when path is empty, and
// otherwise with a temporary file beside path that replaces path only once
// everything is written: a failed run leaves nothing half written.
func writeOutput(e *env, path string, write func(io.Writer) error) error {
	if path == "" {
		w := bufio.NewWriterSize(e.stdout, 1<<16)
		if err := write(w); err != nil {
			return err
		}
		return w.Flush()
	}
	return writeFileAtomic(path, write)
}

// writeFileAtomic writes path through a temporary file in the same folder
// and a rename.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriterSize(tmp, 1<<16)
	if err = write(w); err != nil {
		return err
	}
	if err = w.Flush(); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressPrinter returns a progress callback that rewrites one status line
// on w when w is a terminal, and prints nothing otherwise (the work is
// seconds long; prime run prints its own progress).
func progressPrinter(w io.Writer, what string) func(done, total int) {
	if !isTerminal(w) {
		return nil
	}
	start := time.Now()
	last := time.Time{}
	return func(done, total int) {
		now := time.Now()
		if done < total && now.Sub(last) < 100*time.Millisecond {
			return
		}
		last = now
		fmt.Fprintf(w, "\r%d/%d %s, %s", done, total, what, now.Sub(start).Round(time.Millisecond))
		if done == total {
			fmt.Fprintln(w)
		}
	}
}
