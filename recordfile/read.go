package recordfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"

	"github.com/failmodes/prime"
)

// Options are the settings of ReadDataset. The zero value, and nil, mean
// the defaults.
type Options struct {
	// Stdin is read for the path "-"; nil means os.Stdin.
	Stdin io.Reader
	// Workers is the number of goroutines that decode at once; 0 means
	// GOMAXPROCS.
	Workers int
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
			work <- u // never blocks longer than a worker's unit: work is as large as ordered
			return true
		}
		for i, src := range srcs {
			if !produce(ctx, i, src, &o, send) {
				return
			}
		}
	}()
	for range o.Workers {
		go func() {
			for u := range work {
				if ctx.Err() != nil {
					u.err = ctx.Err()
				} else {
					u.b, u.err = u.run()
				}
				close(u.done)
			}
		}()
	}

	s := sink{imageDir: ImageDir(srcs)}
	for u := range ordered {
		<-u.done
		if u.closeFile != nil {
			u.closeFile()
		}
		if u.err != nil {
			cancel()
			drain(ordered)
			return nil, u.err
		}
		if u.b != nil {
			s.add(srcs[u.src], u.first, u.b)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(s.records) == 0 {
		if len(srcs) == 1 {
			return nil, &FileError{File: srcs[0].name(), Err: errNoRecords}
		}
		return nil, fmt.Errorf("no records in any of the %d files", len(srcs))
	}
	return s.dataset()
}

var errNoRecords = errors.New("no records")

// drain waits for the units still in flight and closes their files.
func drain(ordered <-chan *unit) {
	for u := range ordered {
		<-u.done
		if u.closeFile != nil {
			u.closeFile()
		}
	}
}

// A unit is work on one piece of a records file: a row group of Parquet,
// or a chunk of JSON Lines.
type unit struct {
	src       int   // index of the source
	first     int64 // the piece's first row (Parquet, 0-based)
	run       func() (*batch, error)
	closeFile func() // when set, called once the unit is done: the file's last unit
	done      chan struct{}
	b         *batch
	err       error
}

// produce opens source i and sends its units; it reports false when the
// reading stops.
func produce(ctx context.Context, i int, src Source, o *Options, send func(*unit) bool) bool {
	fail := func(err error) bool {
		u := &unit{src: i, run: func() (*batch, error) { return nil, err }}
		send(u)
		return false
	}
	f, err := open(src, o.Stdin)
	if err != nil {
		return fail(err)
	}
	if f.format == Parquet {
		pf, err := openParquet(f.at, f.size, src.name(), src.Label)
		if err != nil {
			f.close()
			return fail(err)
		}
		rgs := pf.file.RowGroups()
		if len(rgs) == 0 {
			f.close()
			return true
		}
		next := int64(0) // the next row group's first row
		for k, rg := range rgs {
			first := next
			next += rg.NumRows()
			u := &unit{src: i, first: first, run: func() (*batch, error) {
				b := new(batch)
				return b, pf.readRowGroup(k, first, b)
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
		return true
	}
	// JSON Lines: the whole file, through prime.ReadDataset.
	u := &unit{src: i, closeFile: f.close, run: func() (*batch, error) {
		d, err := prime.ReadDataset(f.r, src.name())
		if err != nil {
			var le *prime.LineError
			if errors.As(err, &le) && le.Line == 0 && le.Field == "" {
				return nil, nil // a file without records (the one error about a whole file) adds none
			}
			return nil, err
		}
		return datasetBatch(d, src)
	}}
	return send(u)
}

// datasetBatch returns the records of d, read from src, as a batch.
func datasetBatch(d *prime.Dataset, src Source) (*batch, error) {
	b := &batch{rows: d.Len(), labels: d.Labels(), tagStart: []int32{0}}
	labelID := map[string]int32{}
	for i, l := range b.labels {
		labelID[l] = int32(i)
	}
	tagID := map[string]int32{}
	predID := map[string]int32{}
	for i, r := range d.All() {
		if src.Label != "" && r.Label != src.Label {
			return nil, &RowError{File: src.name(), Row: int64(i) + 1, Field: "label",
				Err: fmt.Errorf("%q, but the file is in folder label=%s", r.Label, src.Label)}
		}
		b.ids = append(b.ids, r.ID)
		if r.Image != "" && b.images == nil {
			b.images = make([]string, len(b.ids)-1)
		}
		if b.images != nil {
			b.images = append(b.images, r.Image)
		}
		b.label = append(b.label, labelID[r.Label])
		p := int32(-1)
		if r.Predicted != "" {
			var ok bool
			if p, ok = predID[r.Predicted]; !ok {
				p = int32(len(b.preds))
				predID[r.Predicted] = p
				b.preds = append(b.preds, r.Predicted)
			}
		}
		b.pred = append(b.pred, p)
		c := int8(0)
		if r.IsCorrect() {
			c = 1
		}
		b.correct = append(b.correct, c)
		for _, t := range r.Tags {
			id, ok := tagID[t]
			if !ok {
				id = int32(len(b.tags))
				tagID[t] = id
				b.tags = append(b.tags, t)
			}
			b.tagIDs = append(b.tagIDs, id)
		}
		b.tagStart = append(b.tagStart, int32(len(b.tagIDs)))
	}
	return b, nil
}

// A span is where the records of one batch sit in the Dataset.
type span struct {
	start int // index of the batch's first record
	src   Source
	first int64 // its first row in the file (Parquet)
}

// A sink gathers batches into a Dataset.
type sink struct {
	imageDir string // the folder that relative image paths lead from
	imageRel string // the folder of the last source added, from imageDir
	relOf    string // that source's folder
	records  []prime.Record
	spans    []span
}

// image returns img, the image path of a record of src, relative to the
// sink's imageDir when it is relative to src's folder.
func (s *sink) image(src Source, img string) string {
	if img == "" || filepath.IsAbs(img) || path.IsAbs(img) {
		return img
	}
	if dir := src.dir(); dir != s.relOf {
		s.relOf, s.imageRel = dir, ""
		if dir != s.imageDir {
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

// add adds the records of b, from the row first of src.
func (s *sink) add(src Source, first int64, b *batch) {
	s.spans = append(s.spans, span{start: len(s.records), src: src, first: first})
	for i := range b.rows {
		r := prime.Record{ID: b.ids[i], Label: b.labels[b.label[i]]}
		if b.images != nil {
			r.Image = s.image(src, b.images[i])
		}
		if p := b.pred[i]; p >= 0 {
			r.Predicted = b.preds[p]
		} else {
			r.Correct = b.correct[i] == 1
		}
		if ids := b.tagIDs[b.tagStart[i]:b.tagStart[i+1]]; len(ids) > 0 {
			r.Tags = make([]string, len(ids))
			for k, id := range ids {
				r.Tags[k] = b.tags[id]
			}
		}
		s.records = append(s.records, r)
	}
}

// dataset returns the Dataset of the records added.
func (s *sink) dataset() (*prime.Dataset, error) {
	d, err := prime.NewDataset(s.records)
	var re *prime.RecordError
	if errors.As(err, &re) {
		return nil, s.where(re.Index, re.Field, re.Err)
	}
	return d, err
}

// where returns an error about record i of the Dataset, naming its file
// and row; an id repeated is reported where it first appears too.
func (s *sink) where(i int, field string, err error) error {
	file, row := s.row(i)
	if field == "id" {
		for k := range i {
			if s.records[k].ID == s.records[i].ID {
				f, r := s.row(k)
				err = fmt.Errorf("repeated: %q first appears in %s row %d", s.records[i].ID, f, r)
				break
			}
		}
	}
	return &RowError{File: file, Row: row, Field: field, Err: err}
}

// row returns the file and row (1-based) of record i of the Dataset.
func (s *sink) row(i int) (file string, row int64) {
	k := len(s.spans) - 1
	for k > 0 && s.spans[k].start > i {
		k--
	}
	sp := s.spans[k]
	return sp.src.name(), sp.first + int64(i-sp.start) + 1
}
