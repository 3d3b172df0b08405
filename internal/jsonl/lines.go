package jsonl

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// bom is the UTF-8 byte order mark, skipped at the start of a stream.
const bom = "\xef\xbb\xbf"

// A LineReader reads the lines of a stream one at a time, of any length,
// skipping a UTF-8 byte order mark at its start.
type LineReader struct {
	br   *bufio.Reader
	long []byte // a line longer than br's buffer, assembled
	n    int    // lines read
	err  error
}

// NewLineReader returns a LineReader reading r.
func NewLineReader(r io.Reader) *LineReader {
	return &LineReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// Next returns the next line without its line feed, and its 1-based
// number. The line is valid until the next call, and the caller may
// modify it. At the end of the stream Next returns io.EOF; a last line
// without a line feed is returned as a line.
func (l *LineReader) Next() ([]byte, int, error) {
	if l.err != nil {
		return nil, l.n, l.err
	}
	l.long = l.long[:0]
	if l.n == 0 {
		if b, _ := l.br.Peek(len(bom)); string(b) == bom {
			l.br.Discard(len(bom))
		}
	}
	for {
		b, err := l.br.ReadSlice('\n')
		switch {
		case err == nil:
			l.n++
			if len(l.long) > 0 {
				l.long = append(l.long, b[:len(b)-1]...)
				return l.long, l.n, nil
			}
			return b[:len(b)-1], l.n, nil
		case errors.Is(err, bufio.ErrBufferFull):
			l.long = append(l.long, b...)
		default:
			l.err = err
			l.long = append(l.long, b...)
			if len(l.long) > 0 && err == io.EOF {
				l.n++
				return l.long, l.n, nil
			}
			return nil, l.n, err
		}
	}
}

// A Chunker cuts a stream into chunks of whole lines, for parsing in
// parallel, skipping a UTF-8 byte order mark at the stream's start.
type Chunker struct {
	r       io.Reader
	size    int    // the least chunk length wanted
	carry   []byte // the start of a line after the last chunk's end
	started bool   // a chunk was returned
	err     error
}

// NewChunker returns a Chunker reading r in chunks of about size bytes.
func NewChunker(r io.Reader, size int) *Chunker {
	return &Chunker{r: r, size: max(size, 1)}
}

// Next fills buf's storage (growing it when needed) with the next chunk:
// at least the Chunker's size unless at the end of the stream, and ending
// with a line feed unless it holds the stream's last line. It returns
// io.EOF after the last chunk, or the stream's error.
func (c *Chunker) Next(buf []byte) ([]byte, error) {
	buf = append(buf[:0], c.carry...)
	c.carry = c.carry[:0]
	want := c.size
	for {
		for c.err == nil && len(buf) < want {
			if cap(buf)-len(buf) < 4096 || cap(buf) < want {
				nb := make([]byte, len(buf), max(want+4096, 2*cap(buf)))
				copy(nb, buf)
				buf = nb
			}
			n, err := c.r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err != nil {
				c.err = err
			}
		}
		if !c.started && (len(buf) >= len(bom) || c.err != nil) {
			c.started = true
			buf = bytes.TrimPrefix(buf, []byte(bom))
		}
		if c.err != nil {
			if c.err != io.EOF {
				return nil, c.err
			}
			if len(buf) == 0 {
				return nil, io.EOF
			}
			return buf, nil
		}
		if k := bytes.LastIndexByte(buf, '\n'); k >= 0 {
			c.carry = append(c.carry, buf[k+1:]...)
			return buf[:k+1], nil
		}
		want = 2 * len(buf) // one line longer than a chunk: read on
	}
}
