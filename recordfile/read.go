package recordfile

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/jsonl"
)

// Options are the settings of ReadDataset. The zero value, and nil, mean
// the defaults.
type Options struct {
	// Stdin is read for the path "-"; nil means os.Stdin.
	Stdin io.Reader
	// Workers is the number of goroutines that decode at once; 0 means
	// GOMAXPROCS.
	Workers int
	// Progress, when not nil, is called from time to time with the bytes
	// of the files read so far and in all (compressed, as stored; not
	// counting standard input), on the caller's goroutine.
	Progress func(done, total int64)
	// Thresholds, when not nil, decide the records' tags again from the
	// scores they keep (see prime.Dataset.Rethreshold); a record that
	// cannot be re-thresholded is an error naming its file and line or
	// row.
	Thresholds *prime.Thresholds

	chunkSize int // of JSON Lines; 0 means chunkSize (tests set less)
}

// ReadDataset reads the records files that paths name (files, folders,
// glob patterns, "-" for standard input; see Sources) into one Dataset,
// the records of each file in order and the files in the order Sources
// gives. Each file's format is told by its content, whatever its name (see
// Detect): JSON Lines, plain or compressed with gzip or zstd, in the
// format prime.ReadDataset reads, or Parquet, with the columns a
// ParquetWriter writes (other columns are ignored). Files are decoded in
// parallel, row groups of Parquet and chunks of JSON Lines on several
// goroutines, decompression beside parsing, so memory holds the Dataset
// and a few units of work, never a whole file.
//
// A bad file is reported as a *FileError, a bad row of Parquet as a
// *RowError, a bad line of JSON Lines as a *prime.LineError, each naming
// the file; a repeated id, also across files, is reported where it
// repeats, naming where it first appears.
func ReadDataset(ctx context.Context, paths []string, opts *Options) (*prime.Dataset, error) {
	srcs, err := Sources(paths...)
	if err != nil {
		return nil, err
	}
	return Read(ctx, srcs, opts)
}

// Read is ReadDataset over sources already expanded.
func Read(ctx context.Context, srcs []Source, opts *Options) (*prime.Dataset, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Stdin == nil {
		o.Stdin = os.Stdin
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.chunkSize <= 0 {
		o.chunkSize = chunkSize
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// The producer opens the files in order and sends their units of work
	// both to the workers and, in order, to the consumer below; the
	// ordered channel's capacity bounds the units in flight.
	ordered := make(chan *unit, 2*o.Workers)
	work := make(chan *unit, 2*o.Workers)
	go func() {
		defer close(work)
		defer close(ordered)
		send := func(u *unit) bool {
			u.done = make(chan struct{})
			select {
			case ordered <- u:
			case <-ctx.Done():
				return false
			}
			work <- u // never blocks for long: work is as large as ordered
			return true
		}
		bufs := make(bufferPool, 2*o.Workers+2)
		for i, src := range srcs {
			if !produce(ctx, i, src, &o, bufs, send) {
				return
			}
		}
	}()
	for range o.Workers {
		go func() {
			w := new(worker)
			for u := range work {
				if ctx.Err() != nil {
					u.err = ctx.Err()
				} else {
					u.piece, u.err = u.run(w)
				}
				close(u.done)
			}
		}()
	}

	s := sink{srcs: srcs, imageDir: ImageDir(srcs)}
	var total, done int64
	if o.Progress != nil {
		for _, src := range srcs {
			if st, err := os.Stat(src.Path); err == nil && src.Path != "-" {
				total += st.Size()
			}
		}
	}
	var failed error // the first; the units still in flight are waited for
	for u := range ordered {
		<-u.done
		if u.closeFile != nil {
			u.closeFile()
		}
		if failed != nil {
			continue
		}
		err := u.err
		if err == nil {
			err = s.add(u)
		}
		if err != nil {
			cancel()
			failed = s.fail(err)
			continue
		}
		if o.Progress != nil && u.bytes > 0 {
			done += u.bytes
			o.Progress(min(done, total), total)
		}
	}
	if failed != nil {
		return nil, failed
	}
	if o.Progress != nil && total > 0 {
		o.Progress(total, total)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.b.Len() == 0 {
		if len(srcs) == 1 {
			return nil, &FileError{File: srcs[0].name(), Err: errNoRecords}
		}
		return nil, fmt.Errorf("no records in any of the %d files", len(srcs))
	}
	d, err := s.b.Dataset()
	if err == nil && o.Thresholds != nil {
		d, err = d.Rethreshold(o.Thresholds)
	}
	if err != nil {
		return nil, s.where(err)
	}
	return d, nil
}

var errNoRecords = errors.New("no records")

// A unit is work on one piece of a records file: a row group of Parquet,
// or a chunk of JSON Lines.
type unit struct {
	src       int   // index of the source
	first     int64 // the piece's first row (Parquet, 0-based)
	bytes     int64 // of the file, read for the unit (for progress)
	run       func(*worker) (*piece, error)
	closeFile func() // when set, called once the unit is done: the file's last unit
	done      chan struct{}
	piece     *piece
	err       error
}

// A bufferPool holds the buffers of chunks of JSON Lines parsed, for the
// next chunks: unlike a sync.Pool's, they outlive a garbage collection.
type bufferPool chan []byte

func (p bufferPool) get() []byte {
	select {
	case b := <-p:
		return b
	default:
		return nil
	}
}

func (p bufferPool) put(b []byte) {
	select {
	case p <- b[:0]:
	default:
	}
}

// produce opens source i and sends its units, taking the buffers of JSON
// Lines chunks from bufs; it reports false when the reading stops.
func produce(ctx context.Context, i int, src Source, o *Options, bufs bufferPool, send func(*unit) bool) bool {
	fail := func(err error) bool {
		send(&unit{src: i, run: func(*worker) (*piece, error) { return nil, err }})
		return false
	}
	f, err := open(src, o.Stdin)
	if err != nil {
		return fail(err)
	}
	if f.format != Parquet {
		// JSON Lines, a chunk of whole lines a unit.
		c := jsonl.NewChunker(f.r, o.chunkSize)
		var counted int64
		for {
			buf, err := c.Next(bufs.get())
			if err == io.EOF {
				f.close()
				return true
			}
			if err != nil {
				f.close()
				return fail(&FileError{File: src.name(), Err: err})
			}
			parse := func(w *worker) (*piece, error) {
				pc := w.parseChunk(buf, src.Label) // keeps none of buf
				bufs.put(buf)
				return pc, nil
			}
			u := &unit{src: i, run: parse}
			if f.read != nil {
				n := f.read.Load()
				u.bytes, counted = n-counted, n
			}
			if !send(u) {
				f.close()
				return false
			}
			if ctx.Err() != nil {
				f.close()
				return false
			}
		}
	}
	pf, err := openParquet(f.at, f.size, src.name(), src.Label)
	if err != nil {
		f.close()
		return fail(err)
	}
	rgs := pf.file.RowGroups()
	next := int64(0) // the next row group's first row
	for k, rg := range rgs {
		first := next
		next += rg.NumRows()
		u := &unit{src: i, first: first, bytes: f.size * rg.NumRows() / max(pf.file.NumRows(), 1), run: func(*worker) (*piece, error) {
			c, err := pf.readRowGroup(k, first)
			return &piece{cols: c}, err
		}}
		if k == len(rgs)-1 {
			u.closeFile = f.close
		}
		if !send(u) {
			if k < len(rgs)-1 {
				f.close()
			}
			return false
		}
	}
	if len(rgs) == 0 {
		f.close()
	}
	return true
}

// A span is where the records of one piece sit in the Dataset.
type span struct {
	start int // index of the piece's first record
	src   int
	first int64   // Parquet: the piece's first row in the file, 0-based
	line  []int32 // JSON Lines: each record's line in the file
}

// A sink gathers pieces, in order, into a Dataset.
type sink struct {
	srcs     []Source
	b        prime.DatasetBuilder
	spans    []span
	lines    []int  // per source: JSON Lines' lines read so far
	imageDir string // the folder that relative image paths lead from
	imageRel string // the folder of the last source whose images were seen, from imageDir
	relOf    int    // that source's index, plus 1
}

// add adds the records of u's piece; it returns the error of a bad line.
func (s *sink) add(u *unit) error {
	if s.lines == nil {
		s.lines = make([]int, len(s.srcs))
	}
	pc := u.piece
	sp := span{start: s.b.Len(), src: u.src, first: u.first}
	if pc.line != nil || pc.lines > 0 {
		base := s.lines[u.src]
		sp.line = make([]int32, len(pc.line))
		for k, l := range pc.line {
			sp.line[k] = int32(base + int(l))
		}
		s.lines[u.src] += pc.lines
	}
	if c := pc.cols; c != nil && c.Len() > 0 {
		if c.Images != nil {
			for k, img := range c.Images {
				c.Images[k] = s.image(u.src, img)
			}
		}
		s.spans = append(s.spans, sp)
		if err := s.b.AddColumns(c); err != nil {
			return err
		}
	}
	if pc.err != nil {
		field, cause := jsonl.FieldOf(pc.err)
		return &prime.LineError{File: s.srcs[u.src].name(), Line: s.lines[u.src], Field: field, Err: cause}
	}
	return nil
}

// fail returns err, the first error met reading, unless a repeated id
// among the records before it comes first.
func (s *sink) fail(err error) error {
	if s.b.Len() == 0 || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return s.where(err)
	}
	if _, derr := s.b.Dataset(); derr != nil {
		var rep *prime.RepeatedIDError
		if errors.As(derr, &rep) {
			return s.where(derr)
		}
	}
	return s.where(err)
}

// where returns err with the record it is about, a *prime.RecordError's
// index, as the file and line or row it comes from.
func (s *sink) where(err error) error {
	var re *prime.RecordError
	if !errors.As(err, &re) {
		return err
	}
	at := s.place(re.Index)
	cause := re.Err
	var rep *prime.RepeatedIDError
	if errors.As(cause, &rep) {
		first := s.place(rep.First)
		cause = fmt.Errorf("repeated: %q first appears in %s %s", rep.ID, s.srcs[first.src].name(), first)
	}
	if at.line {
		return &prime.LineError{File: s.srcs[at.src].name(), Line: int(at.n), Field: re.Field, Err: cause}
	}
	return &RowError{File: s.srcs[at.src].name(), Row: at.n, Field: re.Field, Err: cause}
}

// A place is where a record comes from: a line of JSON Lines or a row of
// Parquet, 1-based, in source src.
type place struct {
	src  int
	line bool
	n    int64
}

func (p place) String() string {
	if p.line {
		return "line " + strconv.FormatInt(p.n, 10)
	}
	return "row " + strconv.FormatInt(p.n, 10)
}

// place returns where record i of the Dataset comes from.
func (s *sink) place(i int) place {
	k, _ := slices.BinarySearchFunc(s.spans, i, func(sp span, i int) int { return cmp.Compare(sp.start, i+1) })
	sp := s.spans[max(k-1, 0)]
	if sp.line != nil {
		return place{src: sp.src, line: true, n: int64(sp.line[i-sp.start])}
	}
	return place{src: sp.src, n: sp.first + int64(i-sp.start) + 1}
}

// image returns img, the image path of a record of source src, relative to
// the sink's imageDir when it is relative to src's folder.
func (s *sink) image(src int, img string) string {
	if img == "" || filepath.IsAbs(img) || path.IsAbs(img) {
		return img
	}
	if s.relOf != src+1 {
		s.relOf, s.imageRel = src+1, ""
		if dir := s.srcs[src].dir(); dir != s.imageDir {
			if rel, err := filepath.Rel(s.imageDir, dir); err == nil {
				s.imageRel = filepath.ToSlash(rel)
			} else if abs, err := filepath.Abs(dir); err == nil {
				s.imageRel = filepath.ToSlash(abs)
			}
		}
	}
	if s.imageRel == "" {
		return img
	}
	return path.Join(s.imageRel, img)
}
