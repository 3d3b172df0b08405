package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/outfile"
)

// syncEvery is how many records prime run appends between two syncs of the
// records file: a crash of the machine loses at most the inference of
// these (a crash of the process loses none).
const syncEvery = 256

// recordsFile is prime run's records file: open for appending under an
// exclusive lock (a second run on it is refused), its records read.
type recordsFile struct {
	path       string // as the user gave it
	provenance string // its provenance file, beside its real path
	f          *os.File
	created    bool            // this run created it
	done       map[string]bool // ids of the records it holds
	end        int64           // length of the records kept
	size       int64           // length on disk
	lastNoEOL  bool            // the last record lacks its newline
	files      outfile.Writer

	// Set by prepare.
	rw      *prime.RecordWriter
	counter *checkedWriter // the file's writer; its n is the length written
	written int            // records appended by this run
}

// openRecordsFile opens the records file at path, creating it when
// missing, locks it and reads the ids of its records. Every line must be a
// record but the last: a last line without its newline that is not a whole
// record, left by a crash in the middle of a write, is marked to be cut
// (see prepare); a whole one is kept.
func openRecordsFile(path string, files outfile.Writer) (*recordsFile, error) {
	_, statErr := os.Stat(path)
	f, err := outfile.OpenAppend(path)
	if err != nil {
		if _, ok := errors.AsType[*outfile.LockedError](err); ok {
			return nil, fmt.Errorf("%w: another prime run is writing it; wait for it to end, or stop it", err)
		}
		return nil, err
	}
	r := &recordsFile{path: path, f: f, created: errors.Is(statErr, os.ErrNotExist), done: map[string]bool{}, files: files}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		real = path
	}
	r.provenance = real + provenanceSuffix
	if err := r.read(); err != nil {
		f.Close() // read only so far
		return nil, err
	}
	return r, nil
}

// read reads the ids of the records and finds where they end.
func (r *recordsFile) read() error {
	size, err := r.f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	r.size = size
	complete, err := completeLength(r.f, size)
	if err != nil {
		return err
	}
	r.end = complete
	rr := prime.NewRecordReader(io.NewSectionReader(r.f, 0, complete), r.path)
	for {
		rec, err := rr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%w (a records file of an earlier run; move it away to start afresh)", err)
		}
		r.done[rec.ID] = true
	}
	if complete == size {
		return nil
	}
	// A last line without a newline: a whole record is kept, anything
	// else cut before the first write.
	tail := make([]byte, size-complete)
	if _, err := r.f.ReadAt(tail, complete); err != nil {
		return err
	}
	if len(bytes.TrimSpace(tail)) == 0 {
		return nil // trailing blanks: harmless
	}
	if rec, err := prime.NewRecordReader(bytes.NewReader(tail), r.path).Read(); err == nil && !r.done[rec.ID] {
		r.done[rec.ID] = true
		r.end, r.lastNoEOL = size, true
	}
	return nil
}

// torn returns the length of a torn last line that prepare cuts.
func (r *recordsFile) torn() int64 { return r.size - r.end }

// prepare readies the file for appending: it cuts a torn last line and
// ends a last record without its newline.
func (r *recordsFile) prepare() error {
	if r.size > r.end {
		if err := r.f.Truncate(r.end); err != nil {
			return fmt.Errorf("cutting the torn last line of %s: %w", r.path, err)
		}
		r.size = r.end
	}
	if r.lastNoEOL {
		if _, err := r.f.Write([]byte{'\n'}); err != nil {
			return r.cut(fmt.Errorf("writing %s: %w", r.path, err))
		}
		r.end++
		r.size = r.end
		r.lastNoEOL = false
	}
	r.counter = &checkedWriter{w: r.files.Wrapped(r.f), n: r.end}
	r.rw = prime.NewRecordWriter(r.counter)
	return nil
}

// append appends rec, flushed to the file: an interrupt or a crash of the
// process loses no record written. When the write fails, what it wrote is
// cut, so that the file holds every record before rec whole, and the error
// names the file.
func (r *recordsFile) append(rec *prime.Record) error {
	err := r.rw.Write(rec)
	if err == nil {
		err = r.rw.Flush()
	}
	if err != nil {
		if r.counter.err != nil {
			err = r.counter.err // the file's, not what the writer wrapped it in
		}
		return r.cut(fmt.Errorf("writing %s: %w", r.path, err))
	}
	r.end = r.counter.n
	r.written++
	if r.written%syncEvery == 0 {
		if err := r.f.Sync(); err != nil {
			return fmt.Errorf("syncing %s: %w", r.path, err)
		}
	}
	return nil
}

// cut truncates the file to the records written whole, after err.
func (r *recordsFile) cut(err error) error {
	if terr := r.f.Truncate(r.end); terr != nil {
		return fmt.Errorf("%w; and cutting the partial record failed too: %v (the last line of %s is torn: the next run cuts it)", err, terr, r.path)
	}
	return fmt.Errorf("%w; the %s before it are kept", err, count(len(r.done)+r.written, "record", "records"))
}

// close syncs and closes the file, releasing the lock.
func (r *recordsFile) close() error {
	err := r.f.Sync()
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", r.path, err)
	}
	return nil
}

// finish ends a run that stopped before its end (a failure, an
// interrupt): the records it wrote are synced and the file closed,
// releasing the lock. A file this run created and wrote no record into is
// removed, with the provenance file it wrote, leaving nothing behind.
func (r *recordsFile) finish(wroteProvenance bool) error {
	if !r.created || r.written > 0 || len(r.done) > 0 {
		return r.close()
	}
	// Removed while locked, so that no other run can have opened it;
	// where an open file cannot be removed (Windows), after the close.
	rmErr := os.Remove(r.path)
	err := r.f.Close()
	if rmErr != nil {
		rmErr = os.Remove(r.path)
	}
	if wroteProvenance {
		err = errors.Join(err, os.Remove(r.provenance))
	}
	if err = errors.Join(err, rmErr); err != nil {
		return fmt.Errorf("removing the empty records file %s: %w", r.path, err)
	}
	return nil
}

// completeLength returns the length of f's first size bytes up to and
// including the last newline.
func completeLength(f *os.File, size int64) (int64, error) {
	buf := make([]byte, 64<<10)
	for end := size; end > 0; {
		start := max(end-int64(len(buf)), 0)
		b := buf[:end-start]
		if _, err := f.ReadAt(b, start); err != nil {
			return 0, err
		}
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}
