package recordfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// A Format is the format of a records file, as its first bytes tell.
type Format int

// The formats ReadDataset reads.
const (
	JSONL     Format = iota // JSON Lines, one record a line (any first bytes but those below)
	JSONLGzip               // JSON Lines compressed with gzip (1f 8b)
	JSONLZstd               // JSON Lines compressed with Zstandard (28 b5 2f fd)
	Parquet                 // Parquet ("PAR1")
)

func (f Format) String() string {
	switch f {
	case JSONLGzip:
		return "JSON Lines (gzip)"
	case JSONLZstd:
		return "JSON Lines (zstd)"
	case Parquet:
		return "Parquet"
	default:
		return "JSON Lines"
	}
}

// headLen is the number of a file's first bytes that tell its format.
const headLen = 6

var (
	magicParquet = []byte("PAR1")
	magicGzip    = []byte{0x1f, 0x8b}
	magicZstd    = []byte{0x28, 0xb5, 0x2f, 0xfd}
	// Compressions prime does not read, to name in the error rather than
	// report a JSON syntax error on line 1.
	unread = []struct {
		magic []byte
		name  string
	}{
		{[]byte("BZh"), "bzip2"},
		{[]byte{0xfd, '7', 'z', 'X', 'Z', 0}, "xz"},
		{[]byte{0x04, 0x22, 0x4d, 0x18}, "LZ4"},
		{[]byte{0xff, 0x06, 0x00, 0x00, 's', 'N'}, "Snappy (framed)"},
		{[]byte("PK\x03\x04"), "zip"},
	}
)

// Detect returns the format of a records file that starts with head (its
// first 6 bytes, or all of a shorter file), or an error naming a
// compression that prime does not read.
func Detect(head []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(head, magicParquet):
		return Parquet, nil
	case bytes.HasPrefix(head, magicGzip):
		return JSONLGzip, nil
	case bytes.HasPrefix(head, magicZstd):
		return JSONLZstd, nil
	}
	for _, u := range unread {
		if bytes.HasPrefix(head, u.magic) {
			return 0, fmt.Errorf("compressed with %s, which prime does not read: use gzip or zstd, or none", u.name)
		}
	}
	return JSONL, nil
}

// An opened is a records file opened for reading.
type opened struct {
	format Format
	// Parquet: random access to the file's size bytes.
	at   io.ReaderAt
	size int64
	// JSON Lines: the records, decompressed.
	r io.Reader
	// read counts the bytes read from the file so far (JSON Lines), for
	// progress; size is the file's (0 for standard input).
	read *atomic.Int64
	// closers release the file and any decompressor, last first.
	closers []func()
}

func (o *opened) close() {
	for i := len(o.closers) - 1; i >= 0; i-- {
		o.closers[i]()
	}
	o.closers = nil
}

// open opens the records file src, stdin for "-", and detects its format.
func open(src Source, stdin io.Reader) (*opened, error) {
	o := &opened{}
	// fail releases what is open and returns err about the file.
	fail := func(err error) (*opened, error) {
		o.close()
		return nil, &FileError{File: src.name(), Err: err}
	}
	r, file := stdin, io.ReaderAt(nil)
	if src.Path != "-" {
		f, err := os.Open(src.Path)
		if err != nil {
			return nil, err // *fs.PathError names the file
		}
		o.closers = append(o.closers, func() { f.Close() })
		st, err := f.Stat()
		if err != nil {
			o.close()
			return nil, err
		}
		if !st.Mode().IsRegular() {
			return fail(errors.New("not a regular file"))
		}
		o.size, o.read, file = st.Size(), new(atomic.Int64), f
		r = &counter{r: f, n: o.read}
	}
	br, format, err := sniff(r)
	if err != nil {
		return fail(err)
	}
	switch o.format = format; {
	case format == Parquet && file != nil:
		o.at = file
		return o, nil
	case format == Parquet:
		// Parquet needs random access: standard input is read whole.
		data, err := io.ReadAll(br)
		if err != nil {
			return fail(err)
		}
		o.at, o.size = bytes.NewReader(data), int64(len(data))
		return o, nil
	case format == JSONL:
		o.r = br
		return o, nil
	}
	r = br
	switch format {
	case JSONLGzip:
		zr, err := gzip.NewReader(r)
		if err != nil {
			return fail(fmt.Errorf("gzip: %w", err))
		}
		o.closers = append(o.closers, func() { zr.Close() })
		r = &streamErr{r: zr, what: "gzip"}
	case JSONLZstd:
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(0), zstd.WithDecoderLowmem(false))
		if err != nil {
			return fail(fmt.Errorf("zstd: %w", err))
		}
		o.closers = append(o.closers, zr.Close)
		r = &streamErr{r: zr, what: "zstd"}
	}
	// What was compressed must be JSON Lines.
	br, inner, err := sniff(r)
	if err == nil && inner != JSONL {
		err = fmt.Errorf("%s compressed again: decompress it first", inner)
	}
	if err != nil {
		return fail(err)
	}
	o.r = readAhead(br, &o.closers)
	return o, nil
}

// sniff returns r buffered, and the format that its first bytes tell.
func sniff(r io.Reader) (*bufio.Reader, Format, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, err := br.Peek(headLen)
	if err != nil && err != io.EOF {
		return nil, 0, err
	}
	format, err := Detect(head)
	return br, format, err
}

// A counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n *atomic.Int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// A streamErr names the decompressor in its stream's errors.
type streamErr struct {
	r    io.Reader
	what string
}

func (s *streamErr) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%s: %w", s.what, err)
	}
	return n, err
}

// readAheadBlock is the size of the blocks a readAhead reader reads.
const readAheadBlock = 1 << 20

// readAhead returns a reader of r's bytes that a goroutine of its own
// reads (decompresses) up to four blocks ahead of the caller, so that
// decompression runs while the caller parses. It adds to closers the
// function that stops the goroutine.
func readAhead(r io.Reader, closers *[]func()) io.Reader {
	full := make(chan aheadBlock, 4)
	free := make(chan []byte, 5)
	done := make(chan struct{})
	for range 5 {
		free <- make([]byte, readAheadBlock)
	}
	go func() {
		defer close(full)
		for {
			var buf []byte
			select {
			case buf = <-free:
			case <-done:
				return
			}
			n, err := io.ReadFull(r, buf)
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			select {
			case full <- aheadBlock{buf[:n], err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	*closers = append(*closers, func() {
		close(done)
		for range full {
		}
	})
	return &aheadReader{full: full, free: free}
}

// An aheadBlock is a block read ahead, and the error that ended it.
type aheadBlock struct {
	buf []byte
	err error
}

// An aheadReader reads the blocks of a readAhead goroutine.
type aheadReader struct {
	full <-chan aheadBlock
	free chan<- []byte
	cur  []byte // the rest of the current block
	blk  []byte // the current block, to give back
	err  error
}

func (a *aheadReader) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.err != nil {
			return 0, a.err
		}
		if a.blk != nil {
			a.free <- a.blk[:cap(a.blk)]
			a.blk = nil
		}
		b, ok := <-a.full
		if !ok {
			a.err = io.EOF
			continue
		}
		a.cur, a.blk, a.err = b.buf, b.buf, b.err
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}
