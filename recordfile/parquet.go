package recordfile

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/format"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/jsonl"
)

// A parquetFile is an open Parquet records file: its footer read, its
// columns found.
type parquetFile struct {
	name  string
	file  *parquet.File
	label string // the label of the file's hive partition ("" when none)
	// Leaf column indices; -1 when the file has no such column.
	id, labelCol, pred, correct, image, tags int
	idDef, labelDef, predDef                 int // the leaf's maximum definition level
	imageDef, tagsDef                        int
	tagsListDef                              int // definition level at which a list element exists
	// The scores records keep: tag_floor, a float or double column (-1
	// when the file has none), and the lists tag_scores and pred_scores.
	tagFloor, tagFloorDef int
	tagFloorDouble        bool
	tagScores, predScores scoreLeaves
}

// scoreLeaves are the two leaf columns of a list of scores, or of a map of
// names to scores: the names and the numbers.
type scoreLeaves struct {
	name, score       int  // leaf indices; -1 when the file has no such list
	nameDef, scoreDef int  // the leaves' maximum definition levels
	listDef           int  // the definition level at which an element exists
	double            bool // the numbers are doubles, not floats
}

// openParquet reads the footer of the Parquet file r of size bytes and
// finds its record columns; label is the file's hive partition label, or
// "". Columns other than id, label, pred, correct, tags and image are
// ignored.
func openParquet(r io.ReaderAt, size int64, name, label string) (pf *parquetFile, err error) {
	defer recoverCorrupt(name, &err)
	f, err := parquet.OpenFile(r, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true),
		parquet.ReadBufferSize(1<<20))
	if err != nil {
		return nil, &FileError{File: name, Err: fmt.Errorf("not a Parquet file: %w", err)}
	}
	pf = &parquetFile{name: name, file: f, label: label,
		id: -1, labelCol: -1, pred: -1, correct: -1, image: -1, tags: -1, tagFloor: -1,
		tagScores: scoreLeaves{name: -1, score: -1}, predScores: scoreLeaves{name: -1, score: -1}}
	bad := func(col, what string) error {
		return &FileError{File: name, Err: fmt.Errorf("column %q: %s", col, what)}
	}
	for _, c := range f.Root().Columns() {
		scalar := func(idx, def *int, kind parquet.Kind, want string) error {
			if !c.Leaf() || c.MaxRepetitionLevel() > 0 || c.Type().Kind() != kind {
				return bad(c.Name(), fmt.Sprintf("%s, want %s", describe(c), want))
			}
			*idx, *def = c.Index(), c.MaxDefinitionLevel()
			return nil
		}
		var err error
		switch c.Name() {
		case "id":
			err = scalar(&pf.id, &pf.idDef, parquet.ByteArray, "a string")
		case "label":
			err = scalar(&pf.labelCol, &pf.labelDef, parquet.ByteArray, "a string")
		case "pred":
			err = scalar(&pf.pred, &pf.predDef, parquet.ByteArray, "a string")
		case "image":
			err = scalar(&pf.image, &pf.imageDef, parquet.ByteArray, "a string")
		case "correct":
			var def int // the boolean reader reads nulls itself
			err = scalar(&pf.correct, &def, parquet.Boolean, "a boolean")
		case "tags":
			err = pf.findTags(c)
		case "tag_floor":
			kind := parquet.Float
			if pf.tagFloorDouble = c.Leaf() && c.Type().Kind() == parquet.Double; pf.tagFloorDouble {
				kind = parquet.Double
			}
			err = scalar(&pf.tagFloor, &pf.tagFloorDef, kind, "a float or a double")
		case "tag_scores":
			err = pf.findScores(c, &pf.tagScores)
		case "pred_scores":
			err = pf.findScores(c, &pf.predScores)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := pf.checkCodecs(); err != nil {
		return nil, err
	}
	switch {
	case pf.id < 0:
		return nil, bad("id", "missing")
	case pf.labelCol < 0 && label == "":
		return nil, bad("label", "missing, and the file is in no label=NAME folder")
	case pf.pred < 0 && pf.correct < 0:
		return nil, bad("pred", `missing, and so is "correct"`)
	}
	return pf, nil
}

// checkCodecs refuses a file whose record columns are compressed with a
// codec that prime does not read right. LZ4_RAW pages come back wrong from
// the Parquet library when they compress less than 3 to 1
// (github.com/parquet-go/parquet-go issue 608: the decoder's larger buffer
// is dropped), silently so when a reused buffer holds an earlier page; the
// old LZ4 (Hadoop's framing) and LZO it does not read at all.
func (pf *parquetFile) checkCodecs() error {
	ours := map[int]bool{}
	for _, c := range []int{pf.id, pf.labelCol, pf.pred, pf.correct, pf.image, pf.tags, pf.tagFloor,
		pf.tagScores.name, pf.tagScores.score, pf.predScores.name, pf.predScores.score} {
		ours[c] = c >= 0
	}
	for _, rg := range pf.file.Metadata().RowGroups {
		for j, cc := range rg.Columns {
			switch codec := cc.MetaData.Codec; codec {
			case format.Uncompressed, format.Snappy, format.Gzip, format.Brotli, format.Zstd:
			default:
				if ours[j] {
					return &FileError{File: pf.name, Err: fmt.Errorf("column %q: compressed with %s, which prime does not read: write Snappy, zstd or gzip",
						strings.Join(cc.MetaData.PathInSchema, "."), codec)}
				}
			}
		}
	}
	return nil
}

// findTags checks that c, the "tags" column, is a list of strings (the
// standard three-level LIST, a legacy repeated string, or a list of
// structs whose string field "name" is the tag, as {"name", "score"} in
// JSON Lines) and notes its leaf.
func (pf *parquetFile) findTags(c *parquet.Column) error {
	def, listDef := 0, -1
	n := c
	for {
		if n.Optional() || n.Repeated() {
			def++
		}
		if n.Repeated() {
			listDef = def
		}
		if n.Leaf() {
			break
		}
		cols := n.Columns()
		next := cols[0]
		if len(cols) > 1 {
			if next = n.Column("name"); next == nil {
				return &FileError{File: pf.name, Err: fmt.Errorf("column %q: %s, want a list of strings", "tags", describe(c))}
			}
		}
		n = next
	}
	if n.MaxRepetitionLevel() != 1 || n.Type().Kind() != parquet.ByteArray {
		return &FileError{File: pf.name, Err: fmt.Errorf("column %q: %s, want a list of strings", "tags", describe(c))}
	}
	pf.tags, pf.tagsDef, pf.tagsListDef = n.Index(), n.MaxDefinitionLevel(), listDef
	return nil
}

// findScores checks that c, a "tag_scores" or "pred_scores" column, is a
// list of structs of a string "name" and a float or double "score" (the
// standard three-level LIST, or a repeated group), or a map of strings to
// floats or doubles, and notes its leaves in sl.
func (pf *parquetFile) findScores(c *parquet.Column, sl *scoreLeaves) error {
	bad := &FileError{File: pf.name, Err: fmt.Errorf("column %q: %s, want a list of {name: string, score: float} or a map of strings to floats", c.Name(), describe(c))}
	def, listDef := 0, -1
	for n := c; !n.Leaf(); {
		if n.Optional() || n.Repeated() {
			def++
		}
		if n.Repeated() {
			listDef = def
		}
		if cols := n.Columns(); len(cols) == 1 {
			n = cols[0]
			continue
		}
		name, score := n.Column("name"), n.Column("score")
		if name == nil && score == nil {
			name, score = n.Column("key"), n.Column("value")
		}
		if listDef < 0 || name == nil || score == nil || !name.Leaf() || !score.Leaf() ||
			name.MaxRepetitionLevel() != 1 || score.MaxRepetitionLevel() != 1 || name.Type().Kind() != parquet.ByteArray {
			return bad
		}
		switch score.Type().Kind() {
		case parquet.Float:
		case parquet.Double:
			sl.double = true
		default:
			return bad
		}
		sl.name, sl.nameDef, sl.score, sl.scoreDef, sl.listDef = name.Index(), name.MaxDefinitionLevel(), score.Index(), score.MaxDefinitionLevel(), listDef
		return nil
	}
	return bad
}

// describe names the type of column c for messages: "INT64", "a list of
// INT32", "a group".
func describe(c *parquet.Column) string {
	depth := 0
	for !c.Leaf() {
		cols := c.Columns()
		if len(cols) != 1 {
			return "a group"
		}
		if c.Repeated() {
			depth++
		}
		c = cols[0]
	}
	if c.Repeated() {
		depth++
	}
	return strings.Repeat("a list of ", depth) + c.Type().Kind().String()
}

// recoverCorrupt turns a panic of the Parquet library on a malformed file
// into an error about file name.
func recoverCorrupt(name string, err *error) {
	if v := recover(); v != nil {
		*err = &FileError{File: name, Err: fmt.Errorf("corrupt Parquet file: %v", v)}
	}
}

// readRowGroup reads row group k of pf, whose first row is row first of
// the file (0-based), into columns.
func (pf *parquetFile) readRowGroup(k int, first int64) (c *prime.Columns, err error) {
	defer recoverCorrupt(pf.name, &err)
	rg := pf.file.RowGroups()[k]
	n := int(rg.NumRows())
	c = &prime.Columns{}
	chunks := rg.ColumnChunks()
	rowErr := func(row int, field string, e error) error {
		return &RowError{File: pf.name, Row: first + int64(row) + 1, Field: field, Err: e}
	}

	if c.IDs, err = pf.strings(chunks[pf.id], pf.idDef, n); err != nil {
		return nil, err
	}
	for i, s := range c.IDs {
		if s == "" {
			return nil, rowErr(i, "id", jsonl.ErrMissing)
		}
	}
	if pf.image >= 0 {
		images, err := pf.strings(chunks[pf.image], pf.imageDef, n)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(images, func(s string) bool { return s != "" }) {
			c.Images = images
		}
	}

	c.Label = slices.Repeat([]int32{-1}, n)
	if pf.labelCol >= 0 {
		if c.Label, c.Labels, err = pf.interned(chunks[pf.labelCol], pf.labelDef, n); err != nil {
			return nil, err
		}
		for i, id := range c.Label {
			switch {
			case id < 0 && pf.label == "":
				return nil, rowErr(i, "label", jsonl.ErrMissing)
			case id >= 0 && pf.label != "" && c.Labels[id] != pf.label:
				return nil, rowErr(i, "label", fmt.Errorf("%q, but the file is in folder label=%s", c.Labels[id], pf.label))
			}
		}
	}
	if pf.label != "" {
		// The folder's label, for every record without one.
		c.Labels = append(c.Labels, pf.label)
		for i, id := range c.Label {
			if id < 0 {
				c.Label[i] = int32(len(c.Labels) - 1)
			}
		}
	}

	c.Pred = slices.Repeat([]int32{-1}, n)
	if pf.pred >= 0 {
		if c.Pred, c.Preds, err = pf.interned(chunks[pf.pred], pf.predDef, n); err != nil {
			return nil, err
		}
	}
	correct := slices.Repeat([]int8{-1}, n)
	if pf.correct >= 0 {
		if correct, err = pf.bools(chunks[pf.correct], n); err != nil {
			return nil, err
		}
	}
	c.Correct = make([]bool, n)
	for i := range n {
		p, v := c.Pred[i], correct[i]
		switch {
		case p < 0 && v < 0:
			return nil, rowErr(i, "pred", jsonl.ErrNoPred)
		case p >= 0 && c.Preds[p] == "":
			return nil, rowErr(i, "pred", jsonl.ErrEmpty)
		case p >= 0 && v >= 0 && (c.Preds[p] == c.Labels[c.Label[i]]) != (v == 1):
			return nil, rowErr(i, "correct", &jsonl.DisagreeError{Correct: v == 1, Pred: c.Preds[p], Label: c.Labels[c.Label[i]]})
		}
		c.Correct[i] = v == 1
	}

	if pf.tags >= 0 {
		if err := pf.tagLists(chunks[pf.tags], n, c, rowErr); err != nil {
			return nil, err
		}
	} else {
		c.TagStart = make([]int, n+1)
	}
	if err := pf.readScores(chunks, n, c, rowErr); err != nil {
		return nil, err
	}
	return c, nil
}

// readScores reads the scores of the n records of c from the chunks of a
// row group into c. A record keeps tag scores when its "tag_floor" is not
// null or its "tag_scores" not empty, with the floor 1 when it is null, as
// a line of JSON Lines with "tag_scores" and no "tag_floor" does.
func (pf *parquetFile) readScores(chunks []parquet.ColumnChunk, n int, c *prime.Columns, rowErr func(int, string, error) error) error {
	var err error
	if pf.tagScores.name >= 0 {
		if c.TagScores, err = pf.scoreLists(chunks, &pf.tagScores, n, "tag_scores", rowErr); err != nil {
			return err
		}
	}
	if pf.predScores.name >= 0 {
		if c.PredScores, err = pf.scoreLists(chunks, &pf.predScores, n, "pred_scores", rowErr); err != nil {
			return err
		}
	}
	if pf.tagFloor < 0 && c.TagScores.Start == nil {
		return nil
	}
	const null = -2
	floors := slices.Repeat([]float32{null}, n)
	if pf.tagFloor >= 0 {
		if floors, err = column(chunks[pf.tagFloor], pf.tagFloorDef, n, floatPages(pf.tagFloorDouble).values, null); err != nil {
			return pf.chunkErr(err)
		}
	}
	some := false
	for i, f := range floors {
		switch {
		case f != null && f < 0:
			return rowErr(i, "tag_floor", &jsonl.ScoreError{Text: strconv.FormatFloat(float64(f), 'g', -1, 32)})
		case f != null:
		case c.TagScores.Start != nil && c.TagScores.Start[i+1] > c.TagScores.Start[i]:
			floors[i] = 1
		default:
			floors[i] = prime.NoFloor
		}
		some = some || floors[i] >= 0
	}
	if some {
		c.TagFloor = floors
	}
	return nil
}

// scoreLists reads the list of scores of the n records of a row group
// whose leaves sl names, field, from chunks.
func (pf *parquetFile) scoreLists(chunks []parquet.ColumnChunk, sl *scoreLeaves, n int, field string, rowErr func(int, string, error) error) (prime.ScoreColumns, error) {
	var v jsonl.Dict
	start, ids, err := listColumn(chunks[sl.name], n, sl.listDef, sl.nameDef, 0, idPages(&v).values)
	var scoreStart []int
	var values []float32
	if err == nil {
		scoreStart, values, err = listColumn(chunks[sl.score], n, sl.listDef, sl.scoreDef, len(ids), floatPages(sl.double).values)
	}
	switch {
	case err != nil:
		return prime.ScoreColumns{}, pf.listErr(err, field, rowErr)
	case !slices.Equal(start, scoreStart):
		return prime.ScoreColumns{}, pf.chunkErr(errRows)
	case len(ids) == 0:
		return prime.ScoreColumns{}, nil
	}
	return prime.ScoreColumns{Names: v.Names(), Start: start, IDs: ids, Values: values}, nil
}

// listErr returns err, from listColumn reading the list field, as the
// error of a row when it is about a null element, and of the file else.
func (pf *parquetFile) listErr(err error, field string, rowErr func(int, string, error) error) error {
	var ne *nullElement
	if errors.As(err, &ne) {
		return rowErr(ne.row, field, &jsonl.TagError{Index: ne.index, Err: errNull})
	}
	return pf.chunkErr(err)
}

// A nullElement is a null element of a list, element index of row row.
type nullElement struct{ row, index int }

func (e *nullElement) Error() string { return "null element" }

// listColumn reads chunk cc, a leaf of a list of the n records of a row
// group at repetition level 1: the elements exist from definition level
// listDef, and are not null at maxDef. It returns the start of each row's
// elements (n+1 of them) and their values (room made for hint of them),
// which values gives for the non-null values of a page; a null element is
// a *nullElement.
func listColumn[T any](cc parquet.ColumnChunk, n, listDef, maxDef, hint int, values func(parquet.Page) []T) (start []int, vals []T, err error) {
	start, vals = make([]int, 0, n+1), make([]T, 0, hint)
	row := -1
	err = pages(cc, func(p parquet.Page) error {
		reps, defs := p.RepetitionLevels(), p.DefinitionLevels()
		pageVals := values(p)
		if len(reps) != len(defs) {
			return errRows
		}
		k := 0
		for j, rep := range reps {
			if rep == 0 {
				if row++; row >= n {
					return errRows
				}
				start = append(start, len(vals))
			} else if row < 0 {
				return errRows
			}
			switch def := int(defs[j]); {
			case def == maxDef:
				if k >= len(pageVals) {
					return errRows
				}
				vals = append(vals, pageVals[k])
				k++
			case def >= listDef:
				return &nullElement{row: row, index: len(vals) - start[row]}
			}
		}
		return nil
	})
	if err == nil && row+1 != n {
		err = errRows
	}
	return append(start, len(vals)), vals, err
}

// A pageValues gives the non-null values of a column's pages as Ts, which
// convert appends to a slice; a page dictionary's values are converted
// once.
type pageValues[T any] struct {
	convert func(dst []T, data encoding.Values) []T
	dictOf  parquet.Dictionary // the dictionary dict holds the values of
	dict    []T
	vals    []T // of the last page
}

// values returns the non-null values of page p, in a slice reused by the
// next call.
func (pv *pageValues[T]) values(p parquet.Page) []T {
	data := p.Data()
	d := p.Dictionary()
	if d == nil {
		pv.vals = pv.convert(pv.vals[:0], data)
		return pv.vals
	}
	if d != pv.dictOf {
		pv.dictOf, pv.dict = d, pv.convert(pv.dict[:0], d.Page().Data())
	}
	idx := data.Int32()
	pv.vals = slices.Grow(pv.vals[:0], len(idx))
	for _, x := range idx {
		pv.vals = append(pv.vals, pv.dict[x])
	}
	return pv.vals
}

// floatPages returns the pageValues of a float column, or of a double one
// when double is set, as float32s.
func floatPages(double bool) *pageValues[float32] {
	return &pageValues[float32]{convert: func(dst []float32, data encoding.Values) []float32 {
		if !double {
			return append(dst, data.Float()...)
		}
		for _, v := range data.Double() {
			dst = append(dst, float32(v))
		}
		return dst
	}}
}

// idPages returns the pageValues of a string column as the strings' ids in
// v.
func idPages(v *jsonl.Dict) *pageValues[int32] {
	return &pageValues[int32]{convert: func(dst []int32, data encoding.Values) []int32 {
		bytes, offs := data.ByteArray()
		dst = slices.Grow(dst, len(offs)-1)
		for k := range len(offs) - 1 {
			dst = append(dst, v.ID(bytes[offs[k]:offs[k+1]]))
		}
		return dst
	}}
}

// appendStrings appends the values of data, of a string column, to dst,
// copied into one allocation.
func appendStrings(dst []string, data encoding.Values) []string {
	bytes, offs := data.ByteArray()
	arena := string(bytes)
	dst = slices.Grow(dst, len(offs)-1)
	for k := range len(offs) - 1 {
		dst = append(dst, arena[offs[k]:offs[k+1]])
	}
	return dst
}

// pages calls page for each page of chunk c, in order, releasing it after.
func pages(c parquet.ColumnChunk, page func(parquet.Page) error) error {
	ps := c.Pages()
	defer ps.Close()
	for {
		p, err := ps.ReadPage()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		err = page(p)
		parquet.Release(p)
		if err != nil {
			return err
		}
	}
}

// errRows reports a column chunk whose row count differs from its row
// group's.
var errRows = errors.New("corrupt Parquet file: a column's row count differs from its row group's")

// column reads the n values of chunk c, a column of maximum definition
// level maxDef, whose pages' non-null values values gives, null standing
// for a null.
func column[T any](c parquet.ColumnChunk, maxDef, n int, values func(parquet.Page) []T, null T) ([]T, error) {
	dst := make([]T, 0, n)
	err := pages(c, func(p parquet.Page) error {
		vals := values(p)
		defs := p.DefinitionLevels()
		rows := int(p.NumValues())
		if len(dst)+rows > n {
			return errRows
		}
		if maxDef == 0 || defs == nil {
			if len(vals) < rows {
				return errRows
			}
			dst = append(dst, vals[:rows]...)
			return nil
		}
		k := 0
		for _, d := range defs {
			switch {
			case int(d) != maxDef:
				dst = append(dst, null)
			case k < len(vals):
				dst = append(dst, vals[k])
				k++
			default:
				return errRows
			}
		}
		return nil
	})
	if err == nil && len(dst) != n {
		err = errRows
	}
	return dst, err
}

// strings reads the n values of chunk c, a string column of maximum
// definition level maxDef, "" for null. The strings are copies, one
// allocation a page (or a dictionary).
func (pf *parquetFile) strings(c parquet.ColumnChunk, maxDef, n int) ([]string, error) {
	pv := pageValues[string]{convert: appendStrings}
	out, err := column(c, maxDef, n, pv.values, "")
	return out, pf.chunkErr(err)
}

// interned reads the n values of chunk c, a string column of maximum
// definition level maxDef, as ids into a dictionary that it returns too,
// -1 for null.
func (pf *parquetFile) interned(c parquet.ColumnChunk, maxDef, n int) (ids []int32, names []string, err error) {
	var v jsonl.Dict
	ids, err = column(c, maxDef, n, idPages(&v).values, -1)
	return ids, v.Names(), pf.chunkErr(err)
}

// bools reads the n values of chunk c, a boolean column, 1 for true, 0 for
// false, -1 for null.
func (pf *parquetFile) bools(c parquet.ColumnChunk, n int) ([]int8, error) {
	dst := make([]int8, 0, n)
	buf := make([]parquet.Value, 1024)
	err := pages(c, func(p parquet.Page) error {
		vr := p.Values()
		for {
			m, err := vr.ReadValues(buf)
			if len(dst)+m > n {
				return errRows
			}
			for _, v := range buf[:m] {
				switch {
				case v.IsNull():
					dst = append(dst, -1)
				case v.Boolean():
					dst = append(dst, 1)
				default:
					dst = append(dst, 0)
				}
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	})
	if err == nil && len(dst) != n {
		err = errRows
	}
	return dst, pf.chunkErr(err)
}

// tagLists reads chunk cc, the tags of the n records of c, into c.
func (pf *parquetFile) tagLists(cc parquet.ColumnChunk, n int, c *prime.Columns, rowErr func(int, string, error) error) error {
	var v jsonl.Dict
	start, ids, err := listColumn(cc, n, pf.tagsListDef, pf.tagsDef, 16*n, idPages(&v).values)
	if err != nil {
		return pf.listErr(err, "tags", rowErr)
	}
	c.TagStart, c.TagIDs, c.Tags = start, ids, v.Names()
	return nil
}

// errNull is the error about a null list element.
var errNull = errors.New("null")

// chunkErr wraps an error reading a column chunk as one about the file.
func (pf *parquetFile) chunkErr(err error) error {
	if err == nil {
		return nil
	}
	return &FileError{File: pf.name, Err: err}
}
